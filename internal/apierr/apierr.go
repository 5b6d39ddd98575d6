// Package apierr holds the typed error both service clients return, so that resources can tell
// "the object is gone" from "the service is busy" without parsing messages themselves.
package apierr

import (
	"errors"
	"fmt"
	"strings"
)

// Kind sorts a service error by what the caller should do about it.
type Kind int

const (
	// KindOther is anything the clients could not place more precisely.
	KindOther Kind = iota
	// KindNotFound means the service said the named object does not exist. Clients set it
	// narrowly: a throttle, a timeout or an expired token is never "not found".
	KindNotFound
	// KindAlreadyExists means the object (or one with the same unique name) exists already.
	KindAlreadyExists
	// KindThrottled means the service asked us to slow down and retries ran out.
	KindThrottled
	// KindUnauthorized means sign-in failed or the token was refused (HTTP 401).
	KindUnauthorized
	// KindForbidden means the caller lacks a permission or role (HTTP 403).
	KindForbidden
	// KindInvalidInput means the service refused the request's values.
	KindInvalidInput
)

func (k Kind) String() string {
	switch k {
	case KindNotFound:
		return "not found"
	case KindAlreadyExists:
		return "already exists"
	case KindThrottled:
		return "throttled"
	case KindUnauthorized:
		return "unauthorized"
	case KindForbidden:
		return "forbidden"
	case KindInvalidInput:
		return "invalid input"
	default:
		return "error"
	}
}

// Error is a failed call to Exchange Online or Microsoft Graph. Message is the service's own
// text, unchanged, so users can search for it.
type Error struct {
	Service         string // "Exchange Online" or "Microsoft Graph"
	Operation       string // cmdlet name, or method and path for Graph
	Kind            Kind
	StatusCode      int    // HTTP status, 0 when no answer arrived
	Code            string // the service's error code or exception type
	ErrorID         string // Exchange's error id (e.g. Ex6F9304), when it gives one
	Message         string // the service's message
	RequestID       string // the service's request id
	ClientRequestID string // the id this provider sent with the request
	Err             error  // an underlying transport error, if any
	// Hint says what the caller's settings have to do with the failure, when the client knows;
	// it is not part of Error(), which stays the service's words and ids.
	Hint string
}

// HintOf returns the hint of the *Error in err's chain, or "".
func HintOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Hint
	}
	return ""
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: ", e.Service, e.Operation)
	switch {
	case e.Message != "":
		b.WriteString(e.Message)
	case e.Err != nil:
		b.WriteString(e.Err.Error())
	default:
		b.WriteString(e.Kind.String())
	}
	var facts []string
	if e.StatusCode != 0 {
		facts = append(facts, fmt.Sprintf("HTTP %d", e.StatusCode))
	}
	if e.Code != "" {
		facts = append(facts, "code "+e.Code)
	}
	if e.ErrorID != "" {
		facts = append(facts, "error id "+e.ErrorID)
	}
	if e.RequestID != "" {
		facts = append(facts, "request id "+e.RequestID)
	}
	if e.ClientRequestID != "" {
		facts = append(facts, "client request id "+e.ClientRequestID)
	}
	if len(facts) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(facts, ", "))
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Is reports whether err is, or wraps, an *Error of kind k.
func Is(err error, k Kind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == k
}

// IsNotFound reports whether the service said the object does not exist.
func IsNotFound(err error) bool { return Is(err, KindNotFound) }
