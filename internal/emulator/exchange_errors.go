package emulator

import (
	"fmt"
	"net/http"
)

// cmdletError is a cmdlet failure, answered in the envelope observed on the real service:
// {"error": {"code": "NotFound"|"BadRequest"|"InternalServerError", "message": "Error executing cmdlet",
// "details": [{"code": "Client", "target": "", "message": "<ErrorId>|<exception type>|<text>"}],
// "innererror": {...}}} with the matching HTTP status.
type cmdletError struct {
	status        int
	errorID       string // may be empty, as observed
	exceptionType string
	message       string
}

func (e *cmdletError) Error() string { return e.message }

// domainController appears in not-found texts as in Exchange Online.
const domainController = "NAMPR01A001DC01.NAMPR01A001.prod.outlook.com"

const (
	excNotFound      = "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"      // observed
	excAddressInUse  = "Microsoft.Exchange.Management.Tasks.WLCDManagedMemberExistsException"          // observed
	excValidation    = "Microsoft.Exchange.Management.Tasks.ValidationException"                       // observed
	excAlreadyExists = "Microsoft.Exchange.Configuration.Tasks.ManagementObjectAlreadyExistsException" // chosen
	excADExists      = "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException"              // chosen
	excAmbiguous     = "Microsoft.Exchange.Configuration.Tasks.ManagementObjectAmbiguousException"     // chosen
	excArgument      = "Microsoft.Exchange.Configuration.Tasks.TaskArgumentException"                  // chosen
	excBinding       = "System.Management.Automation.ParameterBindingException"                        // chosen
	excInvalidOp     = "System.InvalidOperationException"                                              // chosen
	excTask          = "Microsoft.Exchange.Configuration.Tasks.TaskException"                          // chosen
	excMemberExists  = "Microsoft.Exchange.Management.Tasks.MemberAlreadyExistsException"              // chosen
	excMemberMissing = "Microsoft.Exchange.Management.Tasks.MemberNotFoundException"                   // chosen
)

// Error ids: the not-found and address-in-use ids are observed; other failures carry none (the id
// may be empty, as observed for ValidationException).
const (
	idNotFound     = "Ex6F9304"
	idAddressInUse = "ExB10BE9"
)

func errObjectNotFound(identity string) *cmdletError {
	return &cmdletError{http.StatusNotFound, idNotFound, excNotFound,
		fmt.Sprintf("The operation couldn't be performed because object '%s' couldn't be found on '%s'.", identity, domainController)}
}

func errRecipientNotFound(identity string) *cmdletError {
	return &cmdletError{http.StatusNotFound, idNotFound, excNotFound,
		fmt.Sprintf("Couldn't find object \"%s\". Please make sure that it was spelled correctly or specify a different object.", identity)}
}

func errAmbiguous(identity string) *cmdletError {
	return &cmdletError{http.StatusBadRequest, "", excAmbiguous, fmt.Sprintf("The operation couldn't be performed because '%s' matches multiple entries.", identity)}
}

func errAlreadyExists(format string, a ...any) *cmdletError {
	return &cmdletError{http.StatusBadRequest, "", excAlreadyExists, fmt.Sprintf(format, a...)}
}

func errNameInUse(name string) *cmdletError {
	return &cmdletError{http.StatusBadRequest, "", excADExists, fmt.Sprintf("The name \"%s\" is already being used. Please try another name.", name)}
}

// errAddressInUse is the observed answer to an address another recipient has.
func errAddressInUse(address string) *cmdletError {
	return &cmdletError{http.StatusBadRequest, idAddressInUse, excAddressInUse,
		fmt.Sprintf("The proxy address \"SMTP:%s\" is already being used by the proxy addresses or LegacyExchangeDN. Please choose another proxy address.", address)}
}

func errArgument(format string, a ...any) *cmdletError {
	return &cmdletError{http.StatusBadRequest, "", excArgument, fmt.Sprintf(format, a...)}
}

func errValidation(format string, a ...any) *cmdletError {
	return &cmdletError{http.StatusBadRequest, "", excValidation, fmt.Sprintf(format, a...)}
}

func errBinding(format string, a ...any) *cmdletError {
	return &cmdletError{http.StatusBadRequest, "", excBinding, fmt.Sprintf(format, a...)}
}

func errInvalidOperation(format string, a ...any) *cmdletError {
	return &cmdletError{http.StatusBadRequest, "", excInvalidOp, fmt.Sprintf(format, a...)}
}

// errInternal is a failure of the service itself (observed as 500 InternalServerError).
func errInternal(message string) *cmdletError {
	return &cmdletError{http.StatusInternalServerError, "", excTask, message}
}

// transientErrors are 500s naming the server exceptions the Exchange Online module retries
// (observed by name, in its generated script; the namespaces and texts are chosen).
var transientErrors = []cmdletError{
	{http.StatusInternalServerError, "", "Microsoft.Exchange.Data.Directory.DCOverloadedException",
		"The domain controller is overloaded. Try again later."},
	{http.StatusInternalServerError, "", "Microsoft.Exchange.Data.Directory.SuitabilityDirectoryException",
		"The directory server isn't suitable at the moment. Try again later."},
	{http.StatusInternalServerError, "", "Microsoft.Exchange.Data.Directory.ServerInMMException",
		"The directory server is in maintenance mode. Try again later."},
	{http.StatusInternalServerError, "", "Microsoft.Exchange.Data.Directory.ADServerSettingsChangedException",
		"The directory server settings changed while the command ran. Try again."},
	{http.StatusInternalServerError, "", "Microsoft.Exchange.Data.Storage.StorageTransientException",
		"A transient storage error occurred. Try again later."},
}

// envelopeCodes are error.code by HTTP status (observed).
var envelopeCodes = map[int]string{
	http.StatusNotFound:            "NotFound",
	http.StatusBadRequest:          "BadRequest",
	http.StatusInternalServerError: "InternalServerError",
}

// write answers the failure in the observed envelope.
func (e *cmdletError) write(w http.ResponseWriter) {
	writeJSON(w, e.status, map[string]any{"error": map[string]any{
		"code":    envelopeCodes[e.status],
		"message": "Error executing cmdlet",
		"details": []map[string]string{{"code": "Client", "target": "", "message": e.errorID + "|" + e.exceptionType + "|" + e.message}},
		"innererror": map[string]string{
			"message": "Error executing cmdlet",
			"type":    "Microsoft.Exchange.Admin.OData.Core.ODataServiceException",
		},
	}})
}

// writeBareForbidden is the observed answer to a cmdlet the service does not know or the caller's
// roles do not include: HTTP 403 whose body is NUL bytes declared gzip (it is not gzip).
func writeBareForbidden(w http.ResponseWriter) {
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Set("Content-Length", "8")
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write(make([]byte, 8))
}

// writeExchangeHTTPError answers a refusal that happens before any cmdlet runs (token,
// permission, anchor, malformed body).
func writeExchangeHTTPError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": message}})
}
