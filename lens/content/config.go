package content

import (
	"errors"
	"fmt"
)

// Config selects and tunes a backend; it is what a node's or the CLI's
// configuration maps onto (suggested keys in brackets).
type Config struct {
	// Dir is the embedded store's folder [content.dir], used when IPFSAPI
	// is empty. A node would use <home>/data/content.
	Dir string
	// IPFSAPI is a kubo node's RPC API base URL, e.g. http://127.0.0.1:5001
	// [content.ipfs_api]. Non-empty selects the kubo backend.
	IPFSAPI string
	// Profile is "default" or "1mib" [content.profile]; "" means default.
	Profile string
	// Offline: kubo backend reads only from the node's own repository
	// [content.ipfs_offline].
	Offline bool
	// NoSync: embedded store skips fsync per block [content.no_sync].
	NoSync bool
	// Layout is the on-disk layout of a NEW embedded store: "" or "auto"
	// (DefaultLayout), "flat" or "pack" [content.layout]. An existing
	// store keeps its layout.
	Layout string
	// MaxBytes, when > 0, is the embedded store's quota [content_max_bytes]:
	// adds that would take it over fail with ErrQuota.
	MaxBytes int64
}

// Open returns the Store that cfg describes: the kubo backend when IPFSAPI
// is set, else the embedded store under Dir.
func Open(cfg Config) (Store, error) {
	p, err := ParseProfile(cfg.Profile)
	if err != nil {
		return nil, err
	}
	if cfg.IPFSAPI != "" {
		return OpenKubo(cfg.IPFSAPI, p, KuboOptions{Offline: cfg.Offline})
	}
	if cfg.Dir == "" {
		return nil, errors.New("content store: neither a folder nor an IPFS API URL configured")
	}
	layout, err := ParseLayout(cfg.Layout)
	if err != nil {
		return nil, err
	}
	s, err := OpenDisk(cfg.Dir, p, DiskOptions{NoSync: cfg.NoSync, Layout: layout, MaxBytes: cfg.MaxBytes})
	if err != nil {
		return nil, fmt.Errorf("content store: %w", err)
	}
	return s, nil
}
