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
	eachProcess("/proc", func(_ int, exe string, status []byte) {
		if exe == binary {
			peak = max(peak, statusBytes(status, "VmHWM"))
		}
	})
	return peak
}

// eachProcess calls fn with the id, the executable path and the status file of every process
// listed in root (a /proc); processes that end meanwhile, or that this user cannot read, are left
// out.
func eachProcess(root string, fn func(pid int, exe string, status []byte)) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		exe, err := os.Readlink(filepath.Join(root, e.Name(), "exe"))
		if err != nil {
			continue
		}
		if status, err := os.ReadFile(filepath.Join(root, e.Name(), "status")); err == nil {
			fn(pid, exe, status)
		}
	}
}

// statusBytes reads a memory field of a /proc status file ("VmRSS:     1234 kB") in bytes; 0
// when the field is missing.
func statusBytes(status []byte, field string) int64 { return statusNumber(status, field) << 10 }

// statusNumber reads a numeric field of a /proc status file ("PPid:\t1234", "VmRSS:  1234 kB",
// without the unit); 0 when the field is missing.
func statusNumber(status []byte, field string) int64 {
	scanner := bufio.NewScanner(bytes.NewReader(status))
	for scanner.Scan() {
		if value, found := strings.CutPrefix(scanner.Text(), field+":"); found {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(value), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// pluginPrefix starts the file name of every build of the provider, whatever its version suffix.
const pluginPrefix = "terraform-provider-o365pam"

// pluginRSS sums the resident memory (VmRSS, in bytes) of the processes listed in root whose
// executable's name starts with pluginPrefix and that descend from process ancestor (the
// benchmark: the CLI is its child, the plugins the CLI's), and counts them. Plugins of other runs on
// the machine are left out.
func pluginRSS(root string, ancestor int) (rss int64, processes int) {
	parent := map[int]int{}
	memory := map[int]int64{}
	eachProcess(root, func(pid int, exe string, status []byte) {
		parent[pid] = int(statusNumber(status, "PPid"))
		if strings.HasPrefix(filepath.Base(exe), pluginPrefix) {
			memory[pid] = statusBytes(status, "VmRSS")
		}
	})
	for pid, bytes := range memory {
		if descends(parent, pid, ancestor) {
			rss += bytes
			processes++
		}
	}
	return rss, processes
}

// descends tells whether ancestor is among pid's parents, grandparents and so on.
func descends(parent map[int]int, pid, ancestor int) bool {
	// A bound on the walk: the table is read process by process, so a reused pid could loop.
	for range len(parent) {
		pid = parent[pid]
		if pid == ancestor {
			return true
		}
		if pid <= 1 {
			return false
		}
	}
	return false
}
