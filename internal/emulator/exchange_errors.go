package emulator

import (
	"fmt"
	"net/http"
	"strings"
)

// cmdletError is a cmdlet failure: Exchange answers it with HTTP 400 and the exception type,
// category and text in the error body.
type cmdletError struct {
	exceptionType string
	category      string
	message       string
}

func (e *cmdletError) Error() string { return e.message }

// domainController appears in not-found texts as in Exchange Online.
const domainController = "NAMPR01A001DC01.NAMPR01A001.prod.outlook.com"

const (
	excNotFound      = "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"
	excAlreadyExists = "Microsoft.Exchange.Configuration.Tasks.ManagementObjectAlreadyExistsException"
	excADExists      = "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException"
	excAmbiguous     = "Microsoft.Exchange.Configuration.Tasks.ManagementObjectAmbiguousException"
	excArgument      = "Microsoft.Exchange.Configuration.Tasks.TaskArgumentException"
	excBinding       = "System.Management.Automation.ParameterBindingException"
	excTask          = "Microsoft.Exchange.Configuration.Tasks.TaskException"
	excNoCommand     = "System.Management.Automation.CommandNotFoundException"
	excMemberExists  = "Microsoft.Exchange.Management.Tasks.MemberAlreadyExistsException"
	excMemberMissing = "Microsoft.Exchange.Management.Tasks.MemberNotFoundException"
)

func errObjectNotFound(identity string) *cmdletError {
	return &cmdletError{excNotFound, "ObjectNotFound", fmt.Sprintf("The operation couldn't be performed because object '%s' couldn't be found on '%s'.", identity, domainController)}
}

func errRecipientNotFound(identity string) *cmdletError {
	return &cmdletError{excNotFound, "ObjectNotFound", fmt.Sprintf("Couldn't find object \"%s\". Please make sure that it was spelled correctly or specify a different object.", identity)}
}

func errAmbiguous(identity string) *cmdletError {
	return &cmdletError{excAmbiguous, "InvalidArgument", fmt.Sprintf("The operation couldn't be performed because '%s' matches multiple entries.", identity)}
}

func errAlreadyExists(format string, a ...any) *cmdletError {
	return &cmdletError{excAlreadyExists, "ResourceExists", fmt.Sprintf(format, a...)}
}

func errArgument(format string, a ...any) *cmdletError {
	return &cmdletError{excArgument, "InvalidArgument", fmt.Sprintf(format, a...)}
}

func errBinding(format string, a ...any) *cmdletError {
	return &cmdletError{excBinding, "InvalidArgument", fmt.Sprintf(format, a...)}
}

func errInvalidOperation(format string, a ...any) *cmdletError {
	return &cmdletError{excTask, "InvalidOperation", fmt.Sprintf(format, a...)}
}

func errUnknownCmdlet(name string) *cmdletError {
	return &cmdletError{excNoCommand, "ObjectNotFound", fmt.Sprintf("The term '%s' is not recognized as a name of a cmdlet, function, script file, or executable program.", name)}
}

// body renders the failure as Exchange's REST error.
func (e *cmdletError) body() map[string]any {
	short := e.exceptionType[strings.LastIndex(e.exceptionType, ".")+1:]
	return map[string]any{"error": map[string]any{
		"code":       short,
		"message":    e.message,
		"details":    []map[string]string{{"message": e.exceptionType + "|" + e.category + "|" + e.message}},
		"innererror": map[string]any{"internalException": map[string]string{"message": e.message}},
	}}
}

// writeExchangeHTTPError answers a refusal that happens before any cmdlet runs (token,
// permission, anchor, malformed body).
func writeExchangeHTTPError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": message}})
}
