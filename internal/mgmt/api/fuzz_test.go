package api

import (
	"testing"

	"github.com/imictl/imictl/internal/jsonfuzz"
)

// apiTypes are the bodies of the management interfaces (M1–M3 and the
// applicant's), as a management server reads them from IM servers and an
// IM server reads them from the management server.
var apiTypes = []jsonfuzz.Type{
	{Name: "SubmitRequest", New: func() any { return new(SubmitRequest) }, Seeds: []string{`{"serverId":"a","serverName":"A","serverAddress":"https://a.example","contactName":"C","contactEmail":"c@a.example","contactMobile":"+86 1","ownerId":"a","csr":""}`}},
	{Name: "ServerChanges", New: func() any { return new(ServerChanges) }, Seeds: []string{`{"serverName":"B","serverAddress":"http://127.0.0.1:1"}`}},
	{Name: "ModifyRequest", New: func() any { return new(ModifyRequest) }, Seeds: []string{`{"serverId":"a","changes":{"serverName":"B"}}`}},
	{Name: "CancelRequest", New: func() any { return new(CancelRequest) }, Seeds: []string{`{"serverId":"a","reason":"closing"}`}},
	{Name: "RequestIDResponse", New: func() any { return new(RequestIDResponse) }, Seeds: []string{`{"requestId":"req-1"}`}},
	{Name: "StatusRequest", New: func() any { return new(StatusRequest) }, Seeds: []string{`{"requestId":" req-1 "}`}},
	{Name: "StatusResponse", New: func() any { return new(StatusResponse) }, Seeds: []string{`{"requestId":"req-1","serverId":"a","kind":"new","status":"approved","serverCert":""}`}},
	{Name: "ServerRecord", New: func() any { return new(ServerRecord) }, Seeds: []string{`{"serverId":"a","serverName":"A","productType":"im","serverAddress":"https://a.example","status":0,"contactName":"C","contactEmail":"c@a.example","contactMobile":"1"}`, `{"serverStatus":"1"}`}},
	{Name: "ServersQuery", New: func() any { return new(ServersQuery) }, Seeds: []string{`{"serverIds":["a","b"],"lastQueryTime":0}`, `{"serverIds":[],"lastQueryTime":"1700000000000"}`}},
	{Name: "ServersResponse", New: func() any { return new(ServersResponse) }, Seeds: []string{`{"servers":[{"serverId":"a"}],"serverTime":1}`, `{"servers":null}`}},
	{Name: "GetServerCertRequest", New: func() any { return new(GetServerCertRequest) }, Seeds: []string{`{"serverId":"a"}`}},
	{Name: "GetServerCertResponse", New: func() any { return new(GetServerCertResponse) }, Seeds: []string{`{"serverCert":"-----BEGIN CERTIFICATE-----"}`}},
	{Name: "ReceiveNotifyRequest", New: func() any { return new(ReceiveNotifyRequest) }, Seeds: []string{`{"serverId":"a","serverName":"A","serverAddress":"https://a.example","status":1}`}},
	{Name: "ReceiveNotifyResponse", New: func() any { return new(ReceiveNotifyResponse) }, Seeds: []string{`{"code":0}`}},
	{Name: "Envelope", New: func() any { return new(Envelope) }, Seeds: []string{`{"code":0,"desc":"OK"}`, `{"code":"7","desc":"x","reason":"unknown_server"}`}},
}

// FuzzAPITypes: jsonfuzz.RoundTrip over every type of apiTypes.
func FuzzAPITypes(f *testing.F) { jsonfuzz.Fuzz(f, apiTypes) }
