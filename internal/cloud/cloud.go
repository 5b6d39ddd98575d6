// Package cloud names the Microsoft national clouds and the sign-in, Graph and Exchange Online
// hosts and token scopes each one uses.
package cloud

import (
	"fmt"
	"strings"
)

// Environment is one national cloud. Endpoints carry no trailing slash; AuthorityHost ends with
// one, as azcore expects. Scopes belong to the cloud, not to an endpoint, so they stay right
// when an endpoint is overridden (for example to point at a proxy or a test server).
type Environment struct {
	Name             string
	AuthorityHost    string
	GraphEndpoint    string
	GraphScope       string
	ExchangeEndpoint string
	ExchangeScope    string
}

// environments is ordered as Names reports them.
var environments = []Environment{
	{
		Name:             "public",
		AuthorityHost:    "https://login.microsoftonline.com/",
		GraphEndpoint:    "https://graph.microsoft.com",
		GraphScope:       "https://graph.microsoft.com/.default",
		ExchangeEndpoint: "https://outlook.office365.com",
		ExchangeScope:    "https://outlook.office365.com/.default",
	},
	{
		// GCC High.
		Name:             "usgovernment",
		AuthorityHost:    "https://login.microsoftonline.us/",
		GraphEndpoint:    "https://graph.microsoft.us",
		GraphScope:       "https://graph.microsoft.us/.default",
		ExchangeEndpoint: "https://outlook.office365.us",
		ExchangeScope:    "https://outlook.office365.us/.default",
	},
	{
		// DoD signs in at the US Government authority but has its own Graph and Exchange hosts.
		Name:             "dod",
		AuthorityHost:    "https://login.microsoftonline.us/",
		GraphEndpoint:    "https://dod-graph.microsoft.us",
		GraphScope:       "https://dod-graph.microsoft.us/.default",
		ExchangeEndpoint: "https://webmail.apps.mil",
		ExchangeScope:    "https://webmail.apps.mil/.default",
	},
	{
		// Operated by 21Vianet.
		Name:             "china",
		AuthorityHost:    "https://login.chinacloudapi.cn/",
		GraphEndpoint:    "https://microsoftgraph.chinacloudapi.cn",
		GraphScope:       "https://microsoftgraph.chinacloudapi.cn/.default",
		ExchangeEndpoint: "https://partner.outlook.cn",
		ExchangeScope:    "https://partner.outlook.cn/.default",
	},
}

// aliases are the azuread and azurerm providers' names for the same clouds, so one ARM_ENVIRONMENT
// serves every provider in a configuration.
var aliases = map[string]string{
	"global":         "public",
	"usgovernmentl4": "usgovernment", // GCC High
	"usgovernmentl5": "dod",
}

// Names lists the valid environment names, public first.
func Names() []string {
	names := make([]string, len(environments))
	for i, env := range environments {
		names[i] = env.Name
	}
	return names
}

// AcceptedNames lists Names followed by the aliases azuread uses.
func AcceptedNames() []string {
	return append(Names(), "global", "usgovernmentl4", "usgovernmentl5")
}

// Lookup returns the environment with the given name or alias. Names are matched exactly, as
// the provider's schema validates them.
func Lookup(name string) (Environment, error) {
	if canonical, ok := aliases[name]; ok {
		name = canonical
	}
	for _, env := range environments {
		if env.Name == name {
			return env, nil
		}
	}
	return Environment{}, fmt.Errorf("unknown environment %q: valid names are %s", name, strings.Join(AcceptedNames(), ", "))
}
