package content

import (
	"testing"
)

// BenchmarkAddGet100MB adds and reads back 100 MB through the embedded
// store and reports MB/s next to a plain sha256 pass over the same bytes.
//
//	go test -run XXX -bench AddGet100MB -benchtime 1x ./lens/content/
func BenchmarkAddGet100MB(b *testing.B) { benchAddGet(b, ProfileDefault, DefaultLayout) }

// BenchmarkAddGet100MBFlat is the same with the flat layout (one file per
// block), for comparison in the same run.
func BenchmarkAddGet100MBFlat(b *testing.B) { benchAddGet(b, ProfileDefault, LayoutFlat) }

// BenchmarkAddGet100MB1MiB is the same with the 1mib profile (4 times
// fewer, larger blocks) in the default layout.
func BenchmarkAddGet100MB1MiB(b *testing.B) { benchAddGet(b, Profile1MiB, DefaultLayout) }

func benchAddGet(b *testing.B, p Profile, l Layout) {
	var rep Report
	for b.Loop() {
		var err error
		rep, err = MeasureThroughputWith(b.TempDir(), 100_000_000, MeasureOptions{Profile: p, Layout: l})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(rep.SHA256MBps, "sha256_MB/s")
	b.ReportMetric(rep.AddMBps, "add_MB/s")
	b.ReportMetric(rep.GetMBps, "get_MB/s")
	b.ReportMetric(rep.AddRatio, "add/sha256")
	b.ReportMetric(rep.GetRatio, "get/sha256")
	b.Log(rep)
}

func TestMeasureThroughputSmall(t *testing.T) {
	rep, err := MeasureThroughput(t.TempDir(), 3_000_000)
	if err != nil {
		t.Fatal(err)
	}
	if rep.AddMBps <= 0 || rep.GetMBps <= 0 || rep.SHA256MBps <= 0 || rep.CID == "" {
		t.Fatalf("report %+v", rep)
	}
	if _, err := MeasureThroughput(t.TempDir(), 0); err == nil {
		t.Fatal("size 0 accepted")
	}
	// benchData is the vector generator with another seed.
	if string(benchData(100)) != string(vectorData("riffchain-bench", 100)) {
		t.Fatal("benchData differs from the documented generator")
	}
}
