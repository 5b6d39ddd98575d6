package cloud

import (
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	tests := []Environment{
		{
			Name:             "public",
			AuthorityHost:    "https://login.microsoftonline.com/",
			GraphEndpoint:    "https://graph.microsoft.com",
			GraphScope:       "https://graph.microsoft.com/.default",
			ExchangeEndpoint: "https://outlook.office365.com",
			ExchangeScope:    "https://outlook.office365.com/.default",
		},
		{
			Name:             "usgovernment",
			AuthorityHost:    "https://login.microsoftonline.us/",
			GraphEndpoint:    "https://graph.microsoft.us",
			GraphScope:       "https://graph.microsoft.us/.default",
			ExchangeEndpoint: "https://outlook.office365.us",
			ExchangeScope:    "https://outlook.office365.us/.default",
		},
		{
			Name:             "dod",
			AuthorityHost:    "https://login.microsoftonline.us/",
			GraphEndpoint:    "https://dod-graph.microsoft.us",
			GraphScope:       "https://dod-graph.microsoft.us/.default",
			ExchangeEndpoint: "https://webmail.apps.mil",
			ExchangeScope:    "https://webmail.apps.mil/.default",
		},
		{
			Name:             "china",
			AuthorityHost:    "https://login.chinacloudapi.cn/",
			GraphEndpoint:    "https://microsoftgraph.chinacloudapi.cn",
			GraphScope:       "https://microsoftgraph.chinacloudapi.cn/.default",
			ExchangeEndpoint: "https://partner.outlook.cn",
			ExchangeScope:    "https://partner.outlook.cn/.default",
		},
	}
	for _, want := range tests {
		t.Run(want.Name, func(t *testing.T) {
			got, err := Lookup(want.Name)
			if err != nil {
				t.Fatalf("Lookup(%q): %v", want.Name, err)
			}
			if got != want {
				t.Errorf("Lookup(%q) =\n%+v\nwant\n%+v", want.Name, got, want)
			}
		})
	}
}

// azuread's names reach the same clouds as ours.
func TestLookupAzureADNames(t *testing.T) {
	for alias, name := range map[string]string{"global": "public", "usgovernmentl4": "usgovernment", "usgovernmentl5": "dod", "china": "china"} {
		got, err := Lookup(alias)
		if err != nil {
			t.Fatalf("Lookup(%q): %v", alias, err)
		}
		want, _ := Lookup(name)
		if got != want || got.Name != name {
			t.Errorf("Lookup(%q) = %+v, want the %s cloud", alias, got, name)
		}
	}
}

func TestLookupUnknownListsValidNames(t *testing.T) {
	_, err := Lookup("germany")
	if err == nil {
		t.Fatal("Lookup(germany) succeeded, want an error")
	}
	for _, name := range []string{"germany", "public", "usgovernment", "dod", "china", "global", "usgovernmentl4", "usgovernmentl5"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not mention %q", err, name)
		}
	}
}

func TestNames(t *testing.T) {
	got := strings.Join(Names(), ",")
	if want := "public,usgovernment,dod,china"; got != want {
		t.Errorf("Names() = %s, want %s", got, want)
	}
}
