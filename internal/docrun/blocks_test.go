package docrun

import (
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

const sample = "# Title\n\n```sh\necho one   # a comment\n```\n\n" +
	"<!-- docs-test: skip: needs a real tenant -->\n```bash\naz login\n```\n\n" +
	"1. A step:\n\n   <!-- docs-test: skip: Exchange Online PowerShell -->\n   ```powershell\n   Add-RoleGroupMember x\n   ```\n\n" +
	"<!-- docs-test: ci -->\n```sh\nmake demo   # the demo\nmake \\\n  test\n```\n\n" +
	"```hcl\nresource \"x\" \"y\" {}\n```\n"

func TestBlocks(t *testing.T) {
	blocks, err := Blocks(sample)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, 0, len(blocks))
	for _, b := range blocks {
		got = append(got, b.Lang+"|"+strings.TrimSpace(b.Text)+"|"+b.Reason)
	}
	want := []string{"sh|echo one   # a comment|", "bash|az login|needs a real tenant",
		"powershell|Add-RoleGroupMember x|Exchange Online PowerShell", "sh|make demo   # the demo\nmake \\\n  test|"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("blocks\n%q\nwant\n%q", got, want)
	}
	if modes := []Mode{blocks[0].Mode, blocks[1].Mode, blocks[2].Mode, blocks[3].Mode}; !reflect.DeepEqual(modes, []Mode{Run, Skip, Skip, CI}) {
		t.Errorf("modes %v", modes)
	}
	if blocks[1].Line != 8 {
		t.Errorf("line of the second block = %d, want 8", blocks[1].Line)
	}
	if cmds := blocks[3].Commands(); !reflect.DeepEqual(cmds, []string{"make demo", "make test"}) {
		t.Errorf("commands %q", cmds)
	}
}

func TestBlocksRefusesWhatCannotBeChecked(t *testing.T) {
	for name, doc := range map[string]string{
		"skip without a reason":   "<!-- docs-test: skip: -->\n```sh\naz login\n```\n",
		"unknown marker":          "<!-- docs-test: later -->\n```sh\nls\n```\n",
		"powershell left to run":  "```powershell\nGet-Mailbox\n```\n",
		"powershell marked as ci": "<!-- docs-test: ci -->\n```pwsh\nGet-Mailbox\n```\n",
		"unclosed block":          "```sh\nls\n",
	} {
		if _, err := Blocks(doc); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

func TestWithoutComment(t *testing.T) {
	for line, want := range map[string]string{
		`echo a # b`:         `echo a `,
		`echo "a # b"`:       `echo "a # b"`,
		`echo 'a # b' # c`:   `echo 'a # b' `,
		`curl -d x#y`:        `curl -d x#y`,
		`# only a comment`:   ``,
		`echo ${#var} # len`: `echo ${#var} `,
	} {
		if got := withoutComment(line); got != want {
			t.Errorf("withoutComment(%q) = %q, want %q", line, got, want)
		}
	}
}

// The script must stop at the first failing command and hold each "# exits N" to its status.
func TestScript(t *testing.T) {
	run := func(text string) (string, error) {
		out, err := exec.CommandContext(t.Context(), "bash", "-c", Script([]Block{{Line: 1, Lang: "sh", Text: text}})).CombinedOutput()
		return string(out), err
	}
	if out, err := run("echo start\nfalse\necho never\n"); err == nil || strings.Contains(out, "never") {
		t.Errorf("a failing command must stop the script: err %v, output %q", err, out)
	}
	if out, err := run("(exit 2)   # exits 2: drift\necho after\n"); err != nil || !strings.Contains(out, "after") {
		t.Errorf("the promised status must pass: err %v, output %q", err, out)
	}
	out, err := run("echo first\ntrue   # exits 2: drift\necho never\n")
	if err == nil || !strings.Contains(out, "the command at line 3 exited 0; the text says 2") || strings.Contains(out, "never") {
		t.Errorf("another status than promised must fail and say so: err %v, output %q", err, out)
	}
	if skipped := Script([]Block{{Text: "az login\n", Mode: Skip}, {Text: "make test\n", Mode: CI}}); strings.Contains(skipped, "az") || strings.Contains(skipped, "make") {
		t.Errorf("skipped and CI blocks must not run: %q", skipped)
	}
}
