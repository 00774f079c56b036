package steps

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/cucumber/godog"
)

// Domain steps: a rule's request said in the scenario's words (whose user,
// which attributes, which operations), the JSON built here. Scenarios about
// wire details (malformed JSON, wrong schemas, wrong types) keep literal
// bodies, and say so.

// orderedObject is a JSON object that keeps its key order (dotted keys make
// nested objects).
type orderedObject struct {
	keys []string
	vals map[string]any // json.RawMessage or *orderedObject
}

func newOrderedObject() *orderedObject { return &orderedObject{vals: map[string]any{}} }

// set puts a raw JSON value at a dotted path ("name.givenName").
func (o *orderedObject) set(path string, raw json.RawMessage) {
	head, rest, nested := strings.Cut(path, ".")
	if _, ok := o.vals[head]; !ok {
		o.keys = append(o.keys, head)
	}
	if !nested {
		o.vals[head] = raw
		return
	}
	sub, ok := o.vals[head].(*orderedObject)
	if !ok {
		sub = newOrderedObject()
		o.vals[head] = sub
	}
	sub.set(rest, raw)
}

// MarshalJSON writes the object in its key order.
func (o *orderedObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// jsonCell reads a table cell as a JSON value, placeholders expanded.
func (w *World) jsonCell(cell string) (json.RawMessage, error) {
	s, err := w.expand(strings.TrimSpace(cell))
	if err != nil {
		return nil, err
	}
	if !json.Valid([]byte(s)) {
		return nil, fmt.Errorf("table cell %s is not a JSON value (strings need quotes)", cell)
	}
	return json.RawMessage(s), nil
}

// userPutBody is a SCIM PUT body for u: the core User schema, u's userName
// when withUserName, then the table's attributes (| path | JSON value |).
func (w *World) userPutBody(u *user, withUserName bool, table *godog.Table) ([]byte, error) {
	body := newOrderedObject()
	body.set("schemas", mustJSON([]string{schemaUser}))
	if withUserName {
		body.set("userName", mustJSON(u.UserName))
	}
	if table != nil {
		for _, row := range table.Rows {
			if len(row.Cells) != 2 {
				return nil, fmt.Errorf("each row of the attribute table is | path | JSON value |")
			}
			raw, err := w.jsonCell(row.Cells[1].Value)
			if err != nil {
				return nil, err
			}
			body.set(strings.TrimSpace(row.Cells[0].Value), raw)
		}
	}
	return json.Marshal(body)
}

// writeUser sends a write about a known user and tracks the answer.
func (w *World) writeUser(method string, u *user, body []byte) error {
	r, err := w.send(method, "/Users/"+u.ID, body, reqOpts{})
	if err != nil {
		return err
	}
	w.track(r)
	return nil
}

// clientPuts replaces a user by PUT with its userName and the table's
// attributes only.
func (w *World) clientPuts(alias string, table *godog.Table) error {
	return w.clientPutsWith(alias, true, table)
}

// clientPutsNoUserName replaces a user by PUT with the table's attributes
// and no userName.
func (w *World) clientPutsNoUserName(alias string, table *godog.Table) error {
	return w.clientPutsWith(alias, false, table)
}

func (w *World) clientPutsWith(alias string, withUserName bool, table *godog.Table) error {
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	body, err := w.userPutBody(u, withUserName, table)
	if err != nil {
		return err
	}
	return w.writeUser(http.MethodPut, u, body)
}

// patchOperation is one PATCH operation in its table order: op, path
// (omitted when empty), value (omitted when empty).
type patchOperation struct {
	Op    string          `json:"op"`
	Path  string          `json:"path,omitempty"`
	Value json.RawMessage `json:"value,omitempty"`
}

// clientPatches sends a PatchOp for a user with the table's operations
// (| op | path | value |, with a header row; an empty path or value is
// left out).
func (w *World) clientPatches(alias string, table *godog.Table) error {
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	if table == nil || len(table.Rows) < 2 {
		return fmt.Errorf("the operations table needs a header | op | path | value | and at least one row")
	}
	var ops []patchOperation
	for _, row := range table.Rows[1:] {
		if len(row.Cells) != 3 {
			return fmt.Errorf("each row of the operations table is | op | path | value |")
		}
		op := patchOperation{Op: strings.TrimSpace(row.Cells[0].Value)}
		if op.Path, err = w.expand(strings.TrimSpace(row.Cells[1].Value)); err != nil {
			return err
		}
		if v := strings.TrimSpace(row.Cells[2].Value); v != "" {
			if op.Value, err = w.jsonCell(v); err != nil {
				return err
			}
		}
		ops = append(ops, op)
	}
	body, err := json.Marshal(struct {
		Schemas    []string         `json:"schemas"`
		Operations []patchOperation `json:"Operations"`
	}{[]string{schemaPatchOp}, ops})
	if err != nil {
		return err
	}
	return w.writeUser(http.MethodPatch, u, body)
}

// searchFilter sends one GET /Users with a filter (placeholders expanded,
// spaces as %20 like Okta), no paging parameters.
func (w *World) searchFilter(filter string) error {
	filter, err := w.expand(strings.TrimSpace(filter))
	if err != nil {
		return err
	}
	q := strings.ReplaceAll(url.QueryEscape(filter), "+", "%20")
	_, err = w.send(http.MethodGet, "/Users?filter="+q, nil, reqOpts{})
	return err
}
