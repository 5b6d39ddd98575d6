package main

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// watchPeak calls measure every period until stop closes, and sends the highest value it returned.
func watchPeak(period time.Duration, measure func() int64, stop <-chan struct{}) <-chan int64 {
	out := make(chan int64, 1)
	go func() {
		var peak int64
		tick := time.NewTicker(period)
		defer tick.Stop()
		for {
			peak = max(peak, measure())
			select {
			case <-stop:
				out <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return out
}

// peakRSSOf is the largest VmHWM, in bytes, of the running processes of binary.
func peakRSSOf(binary string) int64 {
	var peak int64
	eachProcess("/proc", func(exe string, status []byte) {
		if exe == binary {
			peak = max(peak, statusBytes(status, "VmHWM"))
		}
	})
	return peak
}

// eachProcess calls fn with the executable path and the status file of every process listed in
// root (a /proc); processes that end meanwhile, or that this user cannot read, are left out.
func eachProcess(root string, fn func(exe string, status []byte)) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		exe, err := os.Readlink(filepath.Join(root, e.Name(), "exe"))
		if err != nil {
			continue
		}
		if status, err := os.ReadFile(filepath.Join(root, e.Name(), "status")); err == nil {
			fn(exe, status)
		}
	}
}

// statusBytes reads a memory field of a /proc status file ("VmRSS:     1234 kB") in bytes; 0
// when the field is missing.
func statusBytes(status []byte, field string) int64 {
	scanner := bufio.NewScanner(bytes.NewReader(status))
	for scanner.Scan() {
		if kb, found := strings.CutPrefix(scanner.Text(), field+":"); found {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")), 10, 64)
			return n << 10
		}
	}
	return 0
}

// pluginPrefix starts the file name of every build of the provider, whatever its version suffix.
const pluginPrefix = "terraform-provider-o365pam"

// pluginRSS sums the resident memory (VmRSS, in bytes) of the processes listed in root whose
// executable's name starts with pluginPrefix, and counts them.
func pluginRSS(root string) (rss int64, processes int) {
	eachProcess(root, func(exe string, status []byte) {
		if strings.HasPrefix(filepath.Base(exe), pluginPrefix) {
			rss += statusBytes(status, "VmRSS")
			processes++
		}
	})
	return rss, processes
}
