package content

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Report is the outcome of MeasureThroughput. Rates are MB/s with
// MB = 10^6 bytes; ratios compare with a plain SHA-256 pass over the same
// file in the same run (the hashing ceiling: the store hashes every byte
// once when adding and once when reading back). Rates are the best of the
// rounds (the run least disturbed by other work on the machine); Rounds
// holds every round's own numbers.
type Report struct {
	Bytes   int    `json:"bytes"`
	Profile string `json:"profile"`
	// Layout is the embedded store's layout measured.
	Layout     Layout  `json:"layout,omitempty"`
	CID        string  `json:"cid"`
	SHA256MBps float64 `json:"sha256_mb_s"`
	AddMBps    float64 `json:"add_mb_s"`
	GetMBps    float64 `json:"get_mb_s"`
	AddRatio   float64 `json:"add_vs_sha256"`
	GetRatio   float64 `json:"get_vs_sha256"`
	// SHA256SumMBps is the `sha256sum` command over the same file (best
	// round; 0 if the command is not installed), for reference.
	SHA256SumMBps float64 `json:"sha256sum_mb_s,omitempty"`
	// Procs is GOMAXPROCS during the run (the add pipeline hashes chunks
	// on up to that many goroutines; the SHA-256 pass uses one).
	Procs  int           `json:"procs"`
	Rounds []RoundReport `json:"rounds,omitempty"`
}

// RoundReport is one round of MeasureThroughput: a SHA-256 pass, an add
// and a get of the same file, back to back.
type RoundReport struct {
	SHA256MBps    float64 `json:"sha256_mb_s"`
	SHA256SumMBps float64 `json:"sha256sum_mb_s,omitempty"`
	AddMBps       float64 `json:"add_mb_s"`
	GetMBps       float64 `json:"get_mb_s"`
	AddRatio      float64 `json:"add_vs_sha256"`
	GetRatio      float64 `json:"get_vs_sha256"`
}

// String is a human summary: the best-of-rounds line, then each round.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "content %d bytes (%s profile, %s layout, %s, GOMAXPROCS %d, best of %d rounds): sha256 %.1f MB/s, add %.1f MB/s (%.2fx of sha256), get %.1f MB/s (%.2fx of sha256)",
		r.Bytes, r.Profile, r.Layout, r.CID, r.Procs, len(r.Rounds), r.SHA256MBps, r.AddMBps, r.AddRatio, r.GetMBps, r.GetRatio)
	if r.SHA256SumMBps > 0 {
		fmt.Fprintf(&b, "; sha256sum command %.1f MB/s", r.SHA256SumMBps)
	}
	for i, rd := range r.Rounds {
		fmt.Fprintf(&b, "\n  round %d: sha256 %.1f MB/s, add %.1f MB/s (%.2fx), get %.1f MB/s (%.2fx)", i+1, rd.SHA256MBps, rd.AddMBps, rd.AddRatio, rd.GetMBps, rd.GetRatio)
		if rd.SHA256SumMBps > 0 {
			fmt.Fprintf(&b, ", sha256sum %.1f MB/s", rd.SHA256SumMBps)
		}
	}
	return b.String()
}

// MeasureOptions tunes MeasureThroughputWith.
type MeasureOptions struct {
	// Rounds is how many times each pass runs (default 3).
	Rounds int
	// Profile is the import profile (default ProfileDefault).
	Profile Profile
	// NoSHA256Sum skips timing the sha256sum command.
	NoSHA256Sum bool
	// Layout is the layout of the fresh stores (default DefaultLayout).
	Layout Layout
}

// MeasureThroughput is MeasureThroughputWith with 3 rounds of the default
// profile.
func MeasureThroughput(dir string, size int) (Report, error) {
	return MeasureThroughputWith(dir, size, MeasureOptions{})
}

// MeasureThroughputWith writes size deterministic bytes to a file in a new
// folder under dir (the system temp folder if dir is ""), then, in each
// round, back to back:
//
//  1. hashes the file with crypto/sha256 (one goroutine, the file read in
//     chunk-size pieces, as the importer reads it) — the ceiling — and, for
//     reference, runs `sha256sum` on it;
//  2. adds the file with AddPath to a fresh embedded store (fsync on, as a
//     node runs it: the CID is durable when AddPath returns);
//  3. reads it back through Get with verification of every block, comparing
//     the bytes with the originals (a difference is an error);
//  4. hashes the file again (the ceiling is the faster of 1 and 4).
//
// Rates are the best round of each pass; each round's numbers are kept. The
// folder is removed afterwards.
func MeasureThroughputWith(dir string, size int, o MeasureOptions) (Report, error) {
	if size <= 0 {
		return Report{}, errors.New("measure throughput: size must be positive")
	}
	if o.Rounds <= 0 {
		o.Rounds = 3
	}
	if o.Profile.Name == "" {
		o.Profile = ProfileDefault
	}
	if err := o.Profile.validate(); err != nil {
		return Report{}, err
	}
	work, err := os.MkdirTemp(dir, "content-bench-")
	if err != nil {
		return Report{}, fmt.Errorf("measure throughput: %w", err)
	}
	defer os.RemoveAll(work)
	ctx := context.Background()
	data := benchData(size)
	src := filepath.Join(work, "source.bin")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		return Report{}, fmt.Errorf("measure throughput: %w", err)
	}
	if o.Layout == LayoutAuto {
		o.Layout = DefaultLayout
	}
	rep := Report{Bytes: size, Profile: o.Profile.Name, Layout: o.Layout, Procs: runtime.GOMAXPROCS(0)}
	want := sha256.Sum256(data)
	sumCmd := ""
	if !o.NoSHA256Sum {
		sumCmd, _ = exec.LookPath("sha256sum")
	}
	mbps := func(d time.Duration) float64 {
		if d <= 0 {
			d = time.Nanosecond
		}
		return float64(size) / 1e6 / d.Seconds()
	}
	var bestSHA, bestSum, bestAdd, bestGet time.Duration
	better := func(best *time.Duration, d time.Duration) {
		if *best == 0 || d < *best {
			*best = d
		}
	}
	for round := range o.Rounds {
		var rd RoundReport
		shaDur, err := timeSHA256(src, o.Profile.ChunkSize, want)
		if err != nil {
			return rep, err
		}
		var sumDur time.Duration
		if sumCmd != "" {
			t0 := time.Now()
			out, err := exec.Command(sumCmd, src).Output()
			sumDur = time.Since(t0)
			if err != nil || !bytes.HasPrefix(out, []byte(hex.EncodeToString(want[:]))) {
				return rep, fmt.Errorf("measure throughput: sha256sum: %v %q", err, truncate(string(out), 100))
			}
			rd.SHA256SumMBps = mbps(sumDur)
			better(&bestSum, sumDur)
		}

		storeDir := filepath.Join(work, fmt.Sprintf("store-%d", round))
		s, err := OpenDisk(storeDir, o.Profile, DiskOptions{Layout: o.Layout})
		if err != nil {
			return rep, err
		}
		t0 := time.Now()
		c, err := s.AddPath(ctx, src)
		addDur := time.Since(t0)
		if err != nil {
			s.Close()
			return rep, fmt.Errorf("measure throughput: add: %w", err)
		}
		rep.CID = c.String()
		if err := s.Close(); err != nil {
			return rep, err
		}

		s, err = OpenDisk(storeDir, o.Profile)
		if err != nil {
			return rep, err
		}
		t0 = time.Now()
		f, err := s.Get(ctx, c)
		if err != nil {
			s.Close()
			return rep, fmt.Errorf("measure throughput: get: %w", err)
		}
		cmp := &compareWriter{want: data}
		_, err = io.Copy(cmp, f)
		getDur := time.Since(t0)
		f.Close()
		s.Close()
		if err != nil {
			return rep, fmt.Errorf("measure throughput: read: %w", err)
		}
		if cmp.off != len(data) {
			return rep, fmt.Errorf("measure throughput: read %d of %d bytes: %w", cmp.off, len(data), ErrCorrupt)
		}
		if err := os.RemoveAll(storeDir); err != nil {
			return rep, err
		}

		sha2, err := timeSHA256(src, o.Profile.ChunkSize, want)
		if err != nil {
			return rep, err
		}
		shaDur = min(shaDur, sha2)
		rd.SHA256MBps, rd.AddMBps, rd.GetMBps = mbps(shaDur), mbps(addDur), mbps(getDur)
		rd.AddRatio, rd.GetRatio = rd.AddMBps/rd.SHA256MBps, rd.GetMBps/rd.SHA256MBps
		rep.Rounds = append(rep.Rounds, rd)
		better(&bestSHA, shaDur)
		better(&bestAdd, addDur)
		better(&bestGet, getDur)
	}
	rep.SHA256MBps, rep.AddMBps, rep.GetMBps = mbps(bestSHA), mbps(bestAdd), mbps(bestGet)
	if bestSum > 0 {
		rep.SHA256SumMBps = mbps(bestSum)
	}
	rep.AddRatio = rep.AddMBps / rep.SHA256MBps
	rep.GetRatio = rep.GetMBps / rep.SHA256MBps
	return rep, nil
}

// timeSHA256 hashes the file at path with crypto/sha256, reading it in
// chunk-size pieces, and checks the digest.
func timeSHA256(path string, chunkSize int64, want [sha256.Size]byte) (time.Duration, error) {
	t0 := time.Now()
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("measure throughput: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	buf := make([]byte, chunkSize)
	for {
		n, err := io.ReadFull(f, buf)
		h.Write(buf[:n])
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("measure throughput: %w", err)
		}
	}
	got := h.Sum(nil)
	d := time.Since(t0)
	if !bytes.Equal(got, want[:]) {
		return 0, fmt.Errorf("measure throughput: file hash differs: %w", ErrCorrupt)
	}
	return d, nil
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
