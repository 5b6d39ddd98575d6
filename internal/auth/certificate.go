package auth

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

func newCertificateCredential(s Settings) (*azidentity.ClientCertificateCredential, error) {
	if err := requireApp(s); err != nil {
		return nil, err
	}
	data, source, err := certificateData(s)
	if err != nil {
		return nil, err
	}
	password := []byte(s.ClientCertificatePassword)
	if isPEM(data) {
		// azidentity reads only unencrypted PEM, and skips PEM entirely when given a password.
		password = nil
	}
	certs, key, err := azidentity.ParseCertificates(data, password)
	if err != nil {
		detail := fmt.Sprintf("the certificate could not be read as a PFX (PKCS#12) file or as PEM text with a private key: %v", err)
		if len(password) > 0 {
			detail += fmt.Sprintf("; check also that %s (%s) is right", clientCertificatePassword.attribute, clientCertificatePassword.envVar)
		}
		return nil, source.error("Invalid client certificate", detail)
	}
	return azidentity.NewClientCertificateCredential(s.TenantID, s.ClientID, certs, key,
		&azidentity.ClientCertificateCredentialOptions{ClientOptions: s.clientOptions(), DisableInstanceDiscovery: s.CustomAuthority})
}

// certificateData returns the certificate bytes and the setting they came from.
func certificateData(s Settings) ([]byte, setting, error) {
	if s.ClientCertificatePath != "" {
		data, err := os.ReadFile(s.ClientCertificatePath)
		if err != nil {
			return nil, clientCertificatePath, clientCertificatePath.error("Unreadable client certificate file", err.Error())
		}
		return data, clientCertificatePath, nil
	}
	if isPEM([]byte(s.ClientCertificate)) {
		return []byte(s.ClientCertificate), clientCertificate, nil
	}
	// Base64 values are often pasted with line breaks.
	data, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s.ClientCertificate), ""))
	if err != nil {
		return nil, clientCertificate, clientCertificate.error("Invalid client certificate",
			"the value is neither base64-encoded PFX (PKCS#12) data nor PEM text")
	}
	return data, clientCertificate, nil
}

func isPEM(data []byte) bool { return bytes.Contains(data, []byte("-----BEGIN ")) }
