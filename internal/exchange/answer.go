package exchange

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
)

// Annotations of a successful answer (observed: the Exchange Online module reads both from every
// answer and reports each element).
const (
	annotationNextLink = "@odata.nextLink"
	annotationWarnings = "@adminapi.warnings"
	annotationErrors   = "@adminapi.errors"
)

// Answer is one page of a successful (2xx) InvokeCommand answer.
type Answer struct {
	Values   []map[string]json.RawMessage // the objects, annotation keys (any key with "@") removed
	NextLink string
	Warnings []string
	// Errors are non-terminating errors: a write whose answer has any did not fully succeed.
	Errors []string
}

// DecodeAnswer reads a successful answer. An empty body is an answer without objects.
func DecodeAnswer(body []byte) (*Answer, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return &Answer{}, nil
	}
	var top record
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, err
	}
	var values []map[string]json.RawMessage
	if top.has("value") {
		if err := json.Unmarshal(top.raw("value"), &values); err != nil {
			return nil, err
		}
	}
	for _, obj := range values {
		for key := range obj {
			if strings.Contains(key, "@") {
				delete(obj, key)
			}
		}
	}
	return &Answer{
		Values:   values,
		NextLink: top.str(annotationNextLink),
		Warnings: top.texts(annotationWarnings),
		Errors:   top.texts(annotationErrors),
	}, nil
}

// Warning is a warning Exchange gave while running a cmdlet.
type Warning struct {
	Cmdlet string
	Text   string
}

// Warnings collects the warnings of the cmdlets run with a context from CollectWarnings. It is
// safe for concurrent use.
type Warnings struct {
	mu   sync.Mutex
	list []Warning
}

type warningsKey struct{}

// CollectWarnings returns a context under which every cmdlet's warnings (and the non-terminating
// errors of reads) are kept in the returned Warnings, so the caller can show them to the user.
func CollectWarnings(ctx context.Context) (context.Context, *Warnings) {
	w := &Warnings{}
	return context.WithValue(ctx, warningsKey{}, w), w
}

// List returns the warnings collected so far, oldest first.
func (w *Warnings) List() []Warning {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Warning(nil), w.list...)
}

// noteWarnings keeps texts for the caller that asked for them; without a collector they are dropped.
func noteWarnings(ctx context.Context, cmdlet string, texts []string) {
	w, _ := ctx.Value(warningsKey{}).(*Warnings)
	if w == nil || len(texts) == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, t := range texts {
		w.list = append(w.list, Warning{Cmdlet: cmdlet, Text: t})
	}
}

// changesState reports whether a cmdlet changes the tenant: every Exchange verb but Get does.
func changesState(cmdlet string) bool {
	return !strings.HasPrefix(strings.ToLower(cmdlet), "get-")
}
