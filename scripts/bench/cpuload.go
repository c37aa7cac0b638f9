package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuSnap is the machine's and this process's CPU time at one moment, so a
// phase can say how much CPU it got and how much other processes took (the
// benchmark machine is shared).
type cpuSnap struct {
	at          time.Time
	machineBusy time.Duration // all CPUs, from /proc/stat (0 when unavailable)
	self        time.Duration // this process, user+system
}

func takeCPU() cpuSnap {
	s := cpuSnap{at: time.Now()}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		f := strings.Fields(line)
		var busy int64
		for i, v := range f[1:] {
			n, _ := strconv.ParseInt(v, 10, 64)
			if i == 3 || i == 4 { // idle, iowait
				continue
			}
			busy += n
		}
		s.machineBusy = time.Duration(busy) * (time.Second / 100) // USER_HZ
	}
	return s
}

// cpuShare is what a phase got: cores used by this process and by others.
type cpuShare struct {
	Self, Others float64       // cores, averaged over the phase
	SelfTime     time.Duration // CPU time of this process during the phase
}

func cpuSince(a cpuSnap) cpuShare {
	b := takeCPU()
	wall := b.at.Sub(a.at).Seconds()
	if wall <= 0 {
		return cpuShare{}
	}
	self := (b.self - a.self).Seconds() / wall
	others := 0.0
	if a.machineBusy > 0 {
		others = max(0, (b.machineBusy-a.machineBusy).Seconds()/wall-self)
	}
	return cpuShare{Self: self, Others: others, SelfTime: b.self - a.self}
}
