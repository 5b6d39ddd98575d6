// Package docrun finds the shell commands that README.md and the guides show, so that a test can
// run them as a reader would.
//
// A fenced block in a shell language runs unless the line just before its fence is a marker:
//
//	<!-- docs-test: skip: <why it cannot run here> -->   never run, for example it needs a real tenant
//	<!-- docs-test: ci -->                                 each command is a step of .ci/run
//
// A command line that ends in a comment "# exits N" must exit with status N; any other command
// must succeed.
package docrun

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Mode is how a block is checked.
type Mode int

// The modes a block can have.
const (
	Run  Mode = iota // run in order with the document's other runnable blocks
	Skip             // not run, on purpose: Reason says why
	CI               // each command must be a line of .ci/run
)

// Block is one shell block of a document.
type Block struct {
	Line   int // of the opening fence, from 1
	Lang   string
	Text   string // without the fence and the block's indentation
	Mode   Mode
	Reason string // why a skipped block cannot run here
}

// shellLangs are the fence languages read as shell commands; runnable only if bash can run them.
var shellLangs = map[string]bool{"sh": true, "bash": true, "shell": true, "console": true, "powershell": true, "pwsh": true, "ps1": true}

var bashLangs = map[string]bool{"sh": true, "bash": true, "shell": true}

var (
	fence  = regexp.MustCompile("^(\\s*)(```+)\\s*([A-Za-z0-9_-]*)")
	marker = regexp.MustCompile(`^\s*<!--\s*docs-test:\s*(.*?)\s*-->\s*$`)
)

// Blocks returns the shell blocks of a Markdown document. A marker it cannot read, a skip without
// a reason, or a block bash cannot run that is not skipped, is an error.
func Blocks(markdown string) ([]Block, error) {
	var blocks []Block
	var previous string // the last non-blank line before the current one
	lines := strings.Split(markdown, "\n")
	for i := 0; i < len(lines); i++ {
		m := fence.FindStringSubmatch(lines[i])
		if m == nil {
			if strings.TrimSpace(lines[i]) != "" {
				previous = lines[i]
			}
			continue
		}
		indent, ticks, lang := m[1], m[2], strings.ToLower(m[3])
		start := i
		var body []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != ticks; i++ {
			body = append(body, strings.TrimPrefix(lines[i], indent))
		}
		if i == len(lines) {
			return nil, fmt.Errorf("line %d: code block never closed", start+1)
		}
		if shellLangs[lang] {
			b := Block{Line: start + 1, Lang: lang, Text: strings.Join(body, "\n") + "\n"}
			if err := b.mark(previous); err != nil {
				return nil, fmt.Errorf("line %d: %w", b.Line, err)
			}
			blocks = append(blocks, b)
		}
		previous = lines[i]
	}
	return blocks, nil
}

// mark sets the block's mode from the marker line before it, if that line is one.
func (b *Block) mark(before string) error {
	m := marker.FindStringSubmatch(before)
	switch {
	case m == nil:
		b.Mode = Run
	case m[1] == "ci":
		b.Mode = CI
	case strings.HasPrefix(m[1], "skip:") && strings.TrimSpace(strings.TrimPrefix(m[1], "skip:")) != "":
		b.Mode, b.Reason = Skip, strings.TrimSpace(strings.TrimPrefix(m[1], "skip:"))
	default:
		return fmt.Errorf("unreadable marker %q: write <!-- docs-test: skip: <reason> --> or <!-- docs-test: ci -->", before)
	}
	if b.Mode != Skip && !bashLangs[b.Lang] {
		return fmt.Errorf("a %s block cannot be run by bash: mark it <!-- docs-test: skip: <reason> -->", b.Lang)
	}
	return nil
}

// Commands are the block's command lines without comments, continuation lines joined.
func (b Block) Commands() []string {
	var out []string
	var pending string
	for _, line := range strings.Split(b.Text, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasSuffix(line, "\\") {
			pending += strings.TrimSuffix(line, "\\")
			continue
		}
		line = strings.TrimSpace(pending + line)
		pending = ""
		if code := strings.TrimSpace(withoutComment(line)); code != "" {
			out = append(out, code)
		}
	}
	return out
}

// withoutComment drops a trailing "# ..." comment that starts after whitespace outside quotes,
// as bash reads it.
func withoutComment(line string) string {
	var quote rune
	for i, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			return line[:i]
		}
	}
	return line
}

var exits = regexp.MustCompile(`^(.*\S)\s+#\s*exits\s+(\d+)\b.*$`)

// Script turns runnable blocks into one bash script that stops at the first command that fails,
// or that exits with another status than its "# exits N" comment says.
func Script(blocks []Block) string {
	var s strings.Builder
	s.WriteString("set -euo pipefail\n")
	for _, b := range blocks {
		if b.Mode != Run {
			continue
		}
		fmt.Fprintf(&s, "\n# block at line %d\n", b.Line)
		for i, line := range strings.Split(strings.TrimSuffix(b.Text, "\n"), "\n") {
			m := exits.FindStringSubmatch(line)
			if m == nil {
				s.WriteString(line + "\n")
				continue
			}
			want, _ := strconv.Atoi(m[2])
			fmt.Fprintf(&s, "status=0; %s || status=$?\n", m[1])
			fmt.Fprintf(&s, "[ \"$status\" -eq %d ] || { echo \"docs-test: the command at line %d exited $status; the text says %d\" >&2; exit 1; }\n",
				want, b.Line+1+i, want)
		}
	}
	return s.String()
}
