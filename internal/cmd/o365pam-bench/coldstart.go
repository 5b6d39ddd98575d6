package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Terraform's go-plugin handshake: the magic cookie every Terraform and OpenTofu sends, and the
// protocol version the provider serves.
const (
	magicCookieKey   = "TF_PLUGIN_MAGIC_COOKIE"
	magicCookieValue = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
	schemaMethod     = "/tfplugin6.Provider/GetProviderSchema"
)

// coldStart starts the provider binary as Terraform does and returns how long it took to print its
// handshake line and to answer the first GetProviderSchema call.
func coldStart(binary string) (handshake, schema time.Duration, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary)
	cmd.Env = append(os.Environ(), magicCookieKey+"="+magicCookieValue, "PLUGIN_PROTOCOL_VERSIONS=6")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return 0, 0, fmt.Errorf("reading the handshake line: %w", err)
	}
	handshake = time.Since(start)
	// core version | protocol version | network | address | protocol
	parts := strings.Split(strings.TrimSpace(line), "|")
	if len(parts) < 5 || parts[4] != "grpc" {
		return 0, 0, fmt.Errorf("unexpected handshake line %q", line)
	}
	target := "unix://" + parts[3]
	if parts[2] == "tcp" {
		target = "passthrough:///" + parts[3]
	}
	conn, err := grpc.NewClient(target, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close()
	var answer []byte
	if err := conn.Invoke(ctx, schemaMethod, &[]byte{}, &answer, grpc.ForceCodec(rawCodec{})); err != nil {
		return 0, 0, fmt.Errorf("GetProviderSchema: %w", err)
	}
	if len(answer) == 0 {
		return 0, 0, fmt.Errorf("GetProviderSchema answered nothing")
	}
	return handshake, time.Since(start), nil
}

// rawCodec sends and receives protobuf messages as bytes, so the benchmark needs no generated code:
// GetProviderSchema's request is the empty message.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) {
	b, ok := v.(*[]byte)
	if !ok {
		return nil, fmt.Errorf("raw codec: cannot marshal %T", v)
	}
	return *b, nil
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	b, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("raw codec: cannot unmarshal into %T", v)
	}
	*b = append([]byte(nil), data...)
	return nil
}
func (rawCodec) Name() string { return "proto" }
