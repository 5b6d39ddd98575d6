package provider

import (
	"context"
	"runtime"
	"strings"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// logSubsystem is the tflog subsystem of the provider's own lines: the service calls, token
// requests and read cache hits. Its lines carry an @module ending in .o365pam and the request's fields
// (tf_req_id, tf_resource_type, ...); TF_LOG_PROVIDER=DEBUG shows them.
const logSubsystem = "o365pam"

// The clients know nothing of Terraform: each takes a plain logging function in its
// configuration, and the provider hands them debugLog, which writes to the logger Terraform put
// in the request's context. The line's @caller is the code that had something to log, not this
// function nor the clients' logging helpers between it and that code.
func debugLog(ctx context.Context, message string, fields map[string]any) {
	ctx = tflog.NewSubsystem(ctx, logSubsystem, tflog.WithRootFields(),
		tflog.WithAdditionalLocationOffset(loggingHelpers()))
	tflog.SubsystemDebug(ctx, logSubsystem, message, fields)
}

// loggingHelpers counts the frames between tflog and the code that logs, which is the location
// offset tflog needs: debugLog itself and the clients' helpers, whose names start with "log" (log,
// logAttempt, logWait, ...).
func loggingHelpers() int {
	pcs := make([]uintptr, 16)
	n := runtime.Callers(3, pcs) // past runtime.Callers, loggingHelpers and debugLog
	frames := runtime.CallersFrames(pcs[:n])
	helpers := 1 // debugLog
	for {
		frame, more := frames.Next()
		name := frame.Function[strings.LastIndex(frame.Function, ".")+1:]
		if !strings.HasPrefix(name, "log") || !more {
			return helpers
		}
		helpers++
	}
}
