package emulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

const graphBatchLimit = 20

type batchRequest struct {
	ID      string            `json:"id"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
}

// graphBatch answers a JSON batch by running each part as its own request with the batch's
// token. Parts run in order; dependsOn is not needed for reads.
func (s *Server) graphBatch(p *principal, method string, body []byte) graphResult {
	if method != http.MethodPost {
		return failf(http.StatusMethodNotAllowed, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
	}
	var batch struct {
		Requests []batchRequest `json:"requests"`
	}
	if err := json.Unmarshal(body, &batch); err != nil || len(batch.Requests) == 0 {
		return failf(http.StatusBadRequest, "BadRequest", "Invalid batch payload format.")
	}
	if len(batch.Requests) > graphBatchLimit {
		return failf(http.StatusBadRequest, "BadRequest", "Number of requests in the batch exceeds the limit of %d.", graphBatchLimit)
	}
	responses := make([]map[string]any, 0, len(batch.Requests))
	for _, part := range batch.Requests {
		res := s.batchPart(p, part)
		out := map[string]any{"id": part.ID, "headers": map[string]string{"Content-Type": "application/json"}}
		if res.err != nil {
			out["status"] = res.err.status
			out["body"] = s.graphErrorBody(res.err, newGUID(), "")
		} else {
			out["status"] = res.status
			if res.body != nil {
				out["body"] = res.body
			} else {
				delete(out, "headers") // a 204 part has neither body nor content type
			}
		}
		responses = append(responses, out)
	}
	return graphOK(map[string]any{"responses": responses})
}

func (s *Server) batchPart(p *principal, part batchRequest) graphResult {
	if part.ID == "" || part.Method == "" || part.URL == "" {
		return failf(http.StatusBadRequest, "BadRequest", "A batch request needs id, method and url.")
	}
	u, err := url.Parse(graphPrefix + "/v1.0/" + strings.TrimPrefix(part.URL, "/"))
	if err != nil || strings.EqualFold(strings.Trim(part.URL, "/"), "$batch") {
		return failf(http.StatusBadRequest, "BadRequest", "Invalid request URL '%s' in batch.", part.URL)
	}
	return s.graphCall(p, strings.ToUpper(part.Method), u, part.Body)
}
