package main

import (
	"maps"
	"testing"
)

func TestLogLevelsNobodyReads(t *testing.T) {
	off := map[string]string{"TF_LOG_SDK": "off", "TF_LOG_PROVIDER_O365PAM": "off"}
	tests := []struct {
		name string
		env  map[string]string
		want map[string]string
	}{
		{"no logging asked for", nil, off},
		{"TF_LOG off", map[string]string{"TF_LOG": "OFF"}, off},
		{"only the CLI's own logs", map[string]string{"TF_LOG_CORE": "TRACE"}, off},
		{"TF_LOG", map[string]string{"TF_LOG": "trace"}, nil},
		{"TF_LOG as JSON", map[string]string{"TF_LOG": "JSON"}, nil},
		{"TF_LOG_PROVIDER", map[string]string{"TF_LOG_PROVIDER": "debug"}, nil},
		{"TF_LOG_PROVIDER off wins over TF_LOG", map[string]string{"TF_LOG": "trace", "TF_LOG_PROVIDER": "off"}, off},
		{"Terraform's temporary TRACE log", map[string]string{"TF_TEMP_LOG_PATH": "/tmp/tf.log"}, nil},
		{"an explicit SDK level stays", map[string]string{"TF_LOG_SDK": "warn"}, map[string]string{"TF_LOG_PROVIDER_O365PAM": "off"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := logLevelsNobodyReads(func(name string) string { return tt.env[name] })
			if !maps.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
