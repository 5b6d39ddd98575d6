package exchange

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
)

// busyTenantText marks the per-tenant concurrency limit; it may come with 429 or 400.
const busyTenantText = "maximum number of concurrent requests per tenant"

const excerptRunes = 200

// Fault is what an Exchange error answer says, before classification. The observed body is
// {"error": {"code", "message", "details": [{"message": "<ErrorId>|<exception type>|<text>"}],
// "innererror": {"message", "type", "internalexception": {"message", "type"}}}}, with property
// names in any case.
type Fault struct {
	Code          string // error.code: NotFound, BadRequest, InternalServerError, …
	ErrorID       string // e.g. Ex6F9304; often empty
	ExceptionType string // e.g. Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException
	Text          string // the service's own words
	// Bare means the answer had no readable body at all, as the 403 for a cmdlet the caller may not
	// run (NUL bytes declared gzip).
	Bare bool
}

// ParseFault reads an error answer's body. details[].message wins; without it the inner
// exception's message and type, then error.message, are used.
func ParseFault(body []byte) Fault {
	if blank(body) {
		return Fault{Bare: true}
	}
	var top record
	if json.Unmarshal(body, &top) != nil {
		return Fault{}
	}
	outer := top.object("error")
	fault := Fault{Code: outer.str("code")}
	for _, d := range outer.objects("details") {
		message := strings.TrimSpace(d.str("message"))
		if message == "" {
			continue
		}
		parts := strings.SplitN(message, "|", 3)
		if len(parts) == 3 {
			fault.ErrorID, fault.ExceptionType, fault.Text = strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1]), strings.TrimSpace(parts[2])
		} else {
			fault.Text = message
		}
		break
	}
	inner := outer.object("innererror").object("internalexception")
	if fault.Text == "" {
		fault.Text = strings.TrimSpace(inner.str("message"))
	}
	if fault.ExceptionType == "" {
		fault.ExceptionType = strings.TrimSpace(inner.str("type"))
	}
	if fault.Text == "" {
		fault.Text = strings.TrimSpace(outer.str("message"))
	}
	return fault
}

// DecodeFailure turns a non-2xx answer to cmdlet (run with params) into a classified error. body
// is the answer as read; a body still declared gzip is unpacked when it can be. Failures whose
// outcome is unknown (504, 408) are not marked here; Invoke does that.
func DecodeFailure(cmdlet string, params map[string]any, status int, header http.Header, body []byte) *apierr.Error {
	body = unpack(header, body)
	fault := ParseFault(body)
	text := fault.Text
	if text == "" {
		text = fmt.Sprintf("HTTP %d %s", status, http.StatusText(status))
		if excerpt := shortExcerpt(body); excerpt != "" && !fault.Bare {
			text += ", answer begins: " + excerpt
		}
	}
	kind, message := classify(cmdlet, params, status, fault, text)
	code := fault.Code
	if fault.ExceptionType != "" {
		code = fault.ExceptionType
	}
	return &apierr.Error{
		Service: serviceName, Operation: cmdlet, Kind: kind, StatusCode: status,
		Code: code, ErrorID: fault.ErrorID, Message: message, RequestID: requestID(header),
	}
}

// decodeFailure classifies a non-2xx answer of this call and says whether it may be retried.
func (c *Client) decodeFailure(cl *call, resp *http.Response, data []byte) *failure {
	e := DecodeFailure(cl.cmdlet, cl.params, resp.StatusCode, resp.Header, data)
	e.ClientRequestID = cl.clientRequestID
	if strings.Contains(e.Message, "X-AnchorMailbox") && strings.HasPrefix(cl.anchor, "APP:") {
		e.Hint = anchorHint(c.organization)
	}
	f := &failure{err: e}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode == http.StatusServiceUnavailable,
		strings.Contains(strings.ToLower(e.Message), busyTenantText):
		f.retry = retrySafe
	case resp.StatusCode == http.StatusGatewayTimeout, resp.StatusCode == http.StatusRequestTimeout,
		resp.StatusCode == http.StatusInternalServerError && transientException(e):
		// A transient exception may strike after the cmdlet changed something, so a create is not
		// sent again blindly.
		f.retry = retryAmbiguous
	case resp.StatusCode == http.StatusUnauthorized:
		f.claims = claimsChallenge(resp.Header.Get("WWW-Authenticate"))
	}
	f.retryAfter, f.hasAfter = parseRetryAfter(resp.Header.Get("Retry-After"), c.clock.Now())
	return f
}

// anchorHint explains an anchor Exchange refused: an app-only call is routed by the organization
// the client was given, so a wrong one reads as a header that "does not match the caller".
func anchorHint(organization string) string {
	return fmt.Sprintf("Exchange routes app-only requests to the organization in the X-AnchorMailbox header, %q here, "+
		"which is not the signed-in tenant's. Set the provider's organization setting (organization, or "+
		"O365PAM_ORGANIZATION) to the tenant's initial domain (the one ending in .onmicrosoft.com), or leave it "+
		"unset so that it is read from Microsoft Graph.", organization)
}

// transientExceptions are the server exceptions the Exchange Online module retries when
// details[0].message names one (observed, from its generated script).
var transientExceptions = []string{"DCOverloadedException", "SuitabilityDirectoryException", "ServerInMMException",
	"ADServerSettingsChangedException", "StorageTransientException"}

func transientException(e *apierr.Error) bool {
	for _, name := range transientExceptions {
		if strings.Contains(e.Code, name) || strings.Contains(e.Message, name) {
			return true
		}
	}
	return false
}

// claimsPattern finds the claims challenge in a WWW-Authenticate header.
var claimsPattern = regexp.MustCompile(`(?i)\bclaims="([^"]*)"`)

// claimsChallenge reads the claims a 401 asks the next token to satisfy, decoded from base64 when
// it is encoded so; "" when there is none.
func claimsChallenge(header string) string {
	m := claimsPattern.FindStringSubmatch(header)
	if m == nil {
		return ""
	}
	if decoded, err := base64.StdEncoding.DecodeString(m[1]); err == nil {
		return string(decoded)
	}
	return m[1]
}

// unpack gunzips a body still declared gzip (Go unpacks only what it asked for); a body that is
// not really gzip, such as the NUL bytes of a bare 403, is returned as it came.
func unpack(header http.Header, body []byte) []byte {
	if !strings.EqualFold(strings.TrimSpace(header.Get("Content-Encoding")), "gzip") || len(body) == 0 {
		return body
	}
	r, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return body
	}
	out, err := io.ReadAll(io.LimitReader(r, maxAnswerBytes))
	if err != nil {
		return body
	}
	return out
}

// blank reports a body with nothing in it but NUL bytes and white space.
func blank(body []byte) bool {
	return len(bytes.Trim(body, "\x00 \t\r\n")) == 0
}

// roleNeeded is the Exchange role the provider's cmdlets need (documented).
const roleNeeded = "Role Management"

// classify sorts a failure narrowly: a kind other than Other is only given when the answer
// clearly says so, because resources act on it (NotFound drops an object from state).
//
//   - 401 Unauthorized; 403 Forbidden (a bare 403 means the cmdlet is unknown or outside the
//     caller's Exchange roles).
//   - 429 or the busy-tenant text: Throttled (returned only once retries ran out).
//   - CommandNotFoundException: Other; the cmdlet is not in the caller's session.
//   - an exception type ending in ExistsException (ManagementObjectAlreadyExistsException,
//     ADObjectAlreadyExistsException, WLCDManagedMemberExistsException, …): AlreadyExists.
//   - an exception type ending in NotFoundException (ManagementObjectNotFoundException, …):
//     NotFound when the cmdlet targets an object (Identity) and the text does not quote another
//     parameter's value instead; a missing member, owner or approver group is InvalidInput.
//   - ValidationException, argument, parameter binding, ambiguous identity and invalid operation
//     exceptions: InvalidInput.
//   - anything else: Other.
//
// The HTTP status of a cmdlet failure (404, 400 or 500) does not decide the kind: the same
// not-found detail has been seen with 404 and with 500.
func classify(cmdlet string, params map[string]any, status int, fault Fault, text string) (apierr.Kind, string) {
	short := fault.ExceptionType[strings.LastIndex(fault.ExceptionType, ".")+1:]
	switch {
	case status == http.StatusUnauthorized:
		return apierr.KindUnauthorized, text
	case status == http.StatusForbidden && fault.Bare:
		return apierr.KindForbidden, fmt.Sprintf("the service answered HTTP 403 with no error text: the cmdlet %s is "+
			"unknown to the service or outside the Exchange roles of the signed-in app or user. This provider needs "+
			"the Exchange role %s (included in the Organization Management role group); an app also needs the "+
			"Exchange.ManageAsApp permission and an Entra role such as Exchange Administrator", cmdlet, roleNeeded)
	case status == http.StatusForbidden:
		return apierr.KindForbidden, text
	case status == http.StatusTooManyRequests || strings.Contains(strings.ToLower(text), busyTenantText):
		return apierr.KindThrottled, text
	case short == "CommandNotFoundException":
		return apierr.KindOther, fmt.Sprintf("the cmdlet %s is not available to this caller "+
			"(the account or app lacks the Exchange role that grants it, or the organization does not offer it): %s",
			cmdlet, text)
	case strings.HasSuffix(short, "ExistsException"):
		return apierr.KindAlreadyExists, text
	case strings.HasSuffix(short, "NotFoundException"):
		if namesTarget(params, text) {
			return apierr.KindNotFound, text
		}
		return apierr.KindInvalidInput, text
	case strings.HasSuffix(short, "ValidationException"), strings.HasSuffix(short, "ArgumentException"),
		strings.Contains(short, "ParameterBinding"), strings.HasSuffix(short, "AmbiguousException"),
		strings.HasSuffix(short, "InvalidOperationException"):
		return apierr.KindInvalidInput, text
	default:
		return apierr.KindOther, text
	}
}

// objectMissing reports a failure that says some object named in the call does not exist,
// whichever parameter named it.
func objectMissing(e *apierr.Error) bool {
	return strings.HasSuffix(e.Code, "NotFoundException") && !strings.HasSuffix(e.Code, "CommandNotFoundException")
}

// namesTarget decides whether an "object not found" text is about the cmdlet's target. The
// service quotes the value it could not find ('X' or "X"); when it quotes a value from another
// parameter (a member, an owner, a group) the target itself exists.
func namesTarget(params map[string]any, text string) bool {
	var target []string
	for _, name := range targetParams {
		if v, ok := params[name].(string); ok && v != "" {
			target = append(target, v)
		}
	}
	if len(target) == 0 {
		return false
	}
	if quotesAny(text, target) {
		return true
	}
	for name, value := range params {
		if isTargetParam(name) {
			continue
		}
		if quotesAny(text, stringValues(value)) {
			return false
		}
	}
	return true
}

func isTargetParam(name string) bool {
	for _, t := range targetParams {
		if t == name {
			return true
		}
	}
	return false
}

func stringValues(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []string:
		return v
	default:
		return nil
	}
}

func quotesAny(text string, values []string) bool {
	lower := strings.ToLower(text)
	for _, v := range values {
		if v == "" {
			continue
		}
		v = strings.ToLower(v)
		if strings.Contains(lower, "'"+v+"'") || strings.Contains(lower, `"`+v+`"`) {
			return true
		}
	}
	return false
}

// shortExcerpt is the start of a non-JSON answer (say a gateway's HTML page) on one line.
func shortExcerpt(data []byte) string {
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(data), "")), " ")
	if utf8.RuneCountInString(s) <= excerptRunes {
		return s
	}
	return string([]rune(s)[:excerptRunes]) + "…"
}
