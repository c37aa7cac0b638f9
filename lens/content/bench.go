package content

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Report is the outcome of MeasureThroughput. Rates are MB/s with
// MB = 10^6 bytes; ratios compare with the plain SHA-256 pass over the same
// bytes in the same run (the hashing ceiling: the store hashes every byte
// once when adding and once when reading back).
type Report struct {
	Bytes      int     `json:"bytes"`
	Profile    string  `json:"profile"`
	CID        string  `json:"cid"`
	SHA256MBps float64 `json:"sha256_mb_s"`
	AddMBps    float64 `json:"add_mb_s"`
	GetMBps    float64 `json:"get_mb_s"`
	AddRatio   float64 `json:"add_vs_sha256"`
	GetRatio   float64 `json:"get_vs_sha256"`
}

// String is a one-line human summary.
func (r Report) String() string {
	return fmt.Sprintf("content %d bytes (%s profile, %s): sha256 %.1f MB/s, add %.1f MB/s (%.2fx of sha256), get %.1f MB/s (%.2fx of sha256)",
		r.Bytes, r.Profile, r.CID, r.SHA256MBps, r.AddMBps, r.AddRatio, r.GetMBps, r.GetRatio)
}

// MeasureThroughput adds size deterministic bytes to a fresh embedded store
// (default profile, fsync on, as a node runs it) in a new folder under dir
// (the system temp folder if dir is ""), reads them back through Get with
// verification, and times both against one sha256 pass over the same
// bytes. The folder is removed afterwards. The read-back bytes are compared
// with the originals; a difference is an error.
func MeasureThroughput(dir string, size int) (Report, error) {
	if size <= 0 {
		return Report{}, errors.New("measure throughput: size must be positive")
	}
	work, err := os.MkdirTemp(dir, "content-bench-")
	if err != nil {
		return Report{}, fmt.Errorf("measure throughput: %w", err)
	}
	defer os.RemoveAll(work)
	ctx := context.Background()
	data := benchData(size)
	rep := Report{Bytes: size, Profile: ProfileDefault.Name}

	t0 := time.Now()
	sum := sha256.Sum256(data)
	shaDur := time.Since(t0)
	_ = sum

	s, err := OpenDisk(work, ProfileDefault)
	if err != nil {
		return rep, err
	}
	t0 = time.Now()
	c, err := s.Add(ctx, bytes.NewReader(data))
	addDur := time.Since(t0)
	if err != nil {
		return rep, fmt.Errorf("measure throughput: add: %w", err)
	}
	rep.CID = c.String()
	if err := s.Close(); err != nil {
		return rep, err
	}

	s, err = OpenDisk(work, ProfileDefault)
	if err != nil {
		return rep, err
	}
	defer s.Close()
	t0 = time.Now()
	f, err := s.Get(ctx, c)
	if err != nil {
		return rep, fmt.Errorf("measure throughput: get: %w", err)
	}
	cmp := &compareWriter{want: data}
	_, err = io.Copy(cmp, f)
	getDur := time.Since(t0)
	f.Close()
	if err != nil {
		return rep, fmt.Errorf("measure throughput: read: %w", err)
	}
	if cmp.off != len(data) {
		return rep, fmt.Errorf("measure throughput: read %d of %d bytes: %w", cmp.off, len(data), ErrCorrupt)
	}

	mbps := func(d time.Duration) float64 {
		if d <= 0 {
			d = time.Nanosecond
		}
		return float64(size) / 1e6 / d.Seconds()
	}
	rep.SHA256MBps = mbps(shaDur)
	rep.AddMBps = mbps(addDur)
	rep.GetMBps = mbps(getDur)
	rep.AddRatio = rep.AddMBps / rep.SHA256MBps
	rep.GetRatio = rep.GetMBps / rep.SHA256MBps
	return rep, nil
}

// compareWriter checks streamed bytes against want.
type compareWriter struct {
	want []byte
	off  int
}

func (c *compareWriter) Write(p []byte) (int, error) {
	if c.off+len(p) > len(c.want) || !bytes.Equal(p, c.want[c.off:c.off+len(p)]) {
		return 0, fmt.Errorf("read-back differs at byte %d: %w", c.off, ErrCorrupt)
	}
	c.off += len(p)
	return len(p), nil
}

// benchData is size bytes of SHA-256("riffchain-bench" || uint64_be(i)),
// i = 0, 1, ... (incompressible, deterministic, no duplicate chunks).
func benchData(size int) []byte {
	const seed = "riffchain-bench"
	out := make([]byte, 0, size+sha256.Size)
	msg := make([]byte, len(seed)+8)
	copy(msg, seed)
	for i := uint64(0); len(out) < size; i++ {
		binary.BigEndian.PutUint64(msg[len(seed):], i)
		s := sha256.Sum256(msg)
		out = append(out, s[:]...)
	}
	return out[:size]
}
