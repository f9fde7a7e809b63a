package cloudwatchlogs

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/sluice-logs/sluice/internal/iam"
)

// Policy mode: with SetPolicy (or PUT /_emulator/policy), every call is
// authorised like IAM authorises the caller's identity policies, through
// Sluice's own evaluator (package iam): the action is logs:<Operation>, the
// resource the ARN AWS evaluates it against (the stream's ARN for stream
// calls, log-group:NAME:log-stream: with an empty stream for group calls),
// and a call the policies do not allow is answered AccessDeniedException
// with IAM's wording. A test can narrow and widen the policy while a
// client runs, to replay a task role losing and regaining access.

// SetPolicy makes the server authorise every call with docs; nil turns
// policy mode off (everything is allowed).
func (s *Server) SetPolicy(docs []*iam.Document) {
	s.mu.Lock()
	s.policy = docs
	s.mu.Unlock()
}

// policyDenied evaluates a call in policy mode (caller holds s.mu); nil
// when allowed or when policy mode is off.
func (s *Server) policyDenied(action, group, stream string) *apiError {
	if s.policy == nil {
		return nil
	}
	resource := s.groupARN(group) + ":log-stream:" + stream
	d := iam.Evaluate(s.policy, iam.Request{
		Action:   "logs:" + action,
		Resource: resource,
		Context:  map[string][]string{"aws:requestedregion": {s.opts.Region}, "aws:securetransport": {"true"}},
	})
	if d.Outcome == iam.Allowed {
		return nil
	}
	why := "because no identity-based policy allows the logs:" + action + " action"
	if d.Outcome == iam.ExplicitDeny {
		why = "with an explicit deny in an identity-based policy"
	}
	return &apiError{status: 400, code: "AccessDeniedException", message: fmt.Sprintf(
		"User: arn:aws:sts::%s:assumed-role/emulator/sluice is not authorized to perform: logs:%s on resource: %s %s",
		s.opts.Account, action, resource, why)}
}

// ParsePolicies reads one policy document or a JSON array of them.
func ParsePolicies(name string, src []byte) ([]*iam.Document, error) {
	trimmed := strings.TrimSpace(string(src))
	if !strings.HasPrefix(trimmed, "[") {
		d, err := iam.ParsePolicy(name, src)
		if err != nil {
			return nil, err
		}
		return []*iam.Document{d}, nil
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(src, &raw); err != nil {
		return nil, fmt.Errorf("policies %s: %w", name, err)
	}
	docs := make([]*iam.Document, 0, len(raw))
	for i, r := range raw {
		d, err := iam.ParsePolicy(fmt.Sprintf("%s[%d]", name, i), r)
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	return docs, nil
}

// servePolicy is PUT /_emulator/policy (a document or an array of them)
// and DELETE /_emulator/policy (policy mode off).
func (s *Server) servePolicy(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodDelete:
		s.SetPolicy(nil)
	case http.MethodPut, http.MethodPost:
		src, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "policy: "+err.Error(), http.StatusBadRequest)
			return
		}
		docs, err := ParsePolicies("request", src)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.SetPolicy(docs)
	default:
		http.Error(w, "PUT a policy document, or DELETE", http.StatusMethodNotAllowed)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
