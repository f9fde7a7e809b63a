package iam

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Effect is a statement's Effect.
type Effect string

// The two effects of a statement.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Strings is a policy field that AWS accepts as one string or a list of
// strings ("Action": "s3:GetObject" or ["s3:GetObject", "s3:PutObject"]).
// Condition values may also be JSON booleans and numbers, which AWS compares
// as their text; Strings keeps them as text.
type Strings []string

// UnmarshalJSON accepts a string, a number, a boolean or a list of those.
func (s *Strings) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var raw []json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			return err
		}
		out := make(Strings, 0, len(raw))
		for _, r := range raw {
			v, err := scalarText(r)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		*s = out
		return nil
	}
	v, err := scalarText(b)
	if err != nil {
		return err
	}
	*s = Strings{v}
	return nil
}

// MarshalJSON writes one string as a string and anything else as a list,
// the way AWS's console writes policies.
func (s Strings) MarshalJSON() ([]byte, error) {
	if len(s) == 1 {
		return json.Marshal(s[0])
	}
	return json.Marshal([]string(s))
}

func scalarText(b []byte) (string, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "", fmt.Errorf("empty value")
	}
	switch b[0] {
	case '"':
		var v string
		err := json.Unmarshal(b, &v)
		return v, err
	case 't', 'f':
		v, err := strconv.ParseBool(string(b))
		return strconv.FormatBool(v), err
	case '{', '[':
		return "", fmt.Errorf("expected a string, got %s", b)
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return "", err
	}
	return n.String(), nil
}

// Condition is a statement's Condition block: operator -> context key ->
// values ({"StringEquals": {"aws:RequestedRegion": ["eu-west-1"]}}).
type Condition map[string]map[string]Strings

// Statement is one statement of a policy document. Exactly one of Action and
// NotAction is set, and exactly one of Resource and NotResource (identity
// policies carry no Principal).
type Statement struct {
	Sid         string    `json:"Sid,omitempty"`
	Effect      Effect    `json:"Effect"`
	Action      Strings   `json:"Action,omitempty"`
	NotAction   Strings   `json:"NotAction,omitempty"`
	Resource    Strings   `json:"Resource,omitempty"`
	NotResource Strings   `json:"NotResource,omitempty"`
	Condition   Condition `json:"Condition,omitempty"`
}

// Statements is a document's Statement element: AWS accepts one statement
// object or a list of them.
type Statements []Statement

// UnmarshalJSON accepts one statement object or a list.
func (s *Statements) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var one Statement
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = Statements{one}
		return nil
	}
	var many []Statement
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

// Document is an IAM policy document. Name says where it came from (a file,
// a template's logical ID and policy name) for messages.
type Document struct {
	Name      string     `json:"-"`
	Version   string     `json:"Version"`
	ID        string     `json:"Id,omitempty"`
	Statement Statements `json:"Statement"`
}

// PolicyVersion is the current policy language version; "2008-10-17" and a
// missing Version disable policy variables, which Sluice's policies never use.
const PolicyVersion = "2012-10-17"

// ParsePolicy decodes a policy document and checks what AWS would reject:
// an unknown Effect, a statement with both or neither of Action/NotAction or
// Resource/NotResource. name labels the document in errors.
func ParsePolicy(name string, src []byte) (*Document, error) {
	var d Document
	dec := json.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("policy %s: %w", name, err)
	}
	d.Name = name
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return &d, nil
}

// Validate checks the statement shapes IAM rejects.
func (d *Document) Validate() error {
	if len(d.Statement) == 0 {
		return fmt.Errorf("policy %s: no Statement", d.Name)
	}
	for i, st := range d.Statement {
		where := fmt.Sprintf("policy %s: statement %d", d.Name, i)
		if st.Sid != "" {
			where += fmt.Sprintf(" (Sid %q)", st.Sid)
		}
		switch st.Effect {
		case Allow, Deny:
		default:
			return fmt.Errorf("%s: Effect %q must be Allow or Deny", where, st.Effect)
		}
		// IAM rejects an empty list as it rejects a missing element.
		if (len(st.Action) == 0) == (len(st.NotAction) == 0) {
			return fmt.Errorf("%s: needs exactly one of Action and NotAction, not empty", where)
		}
		if (len(st.Resource) == 0) == (len(st.NotResource) == 0) {
			return fmt.Errorf("%s: needs exactly one of Resource and NotResource, not empty", where)
		}
		for op := range st.Condition {
			if _, err := parseOperator(op); err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
		}
	}
	return nil
}

// label names statement i of d in messages: "file.json#Sid" or "file.json#2".
func (d *Document) label(i int) string {
	if sid := d.Statement[i].Sid; sid != "" {
		return d.Name + "#" + sid
	}
	return d.Name + "#" + strconv.Itoa(i)
}

// JSON renders d indented, as a policy file.
func (d *Document) JSON() []byte {
	b, _ := json.MarshalIndent(d, "", "  ")
	return append(b, '\n')
}
