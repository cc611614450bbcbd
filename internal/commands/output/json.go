package output

import (
	"bytes"
	"encoding/json"
	"io"

	"gopkg.in/yaml.v3"
)

// JSONPrinter prints Data as indented JSON. HTML characters are not escaped:
// the output is for people and scripts, not for embedding in HTML.
type JSONPrinter struct{}

// Print implements Printer.
func (JSONPrinter) Print(w io.Writer, v View) error {
	b, err := marshalJSON(v.Data)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

func marshalJSON(data any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(data); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// YAMLPrinter prints Data as YAML with exactly the JSON field names and
// order: Data is marshalled to JSON first and the JSON is re-emitted as
// block-style YAML, so both formats describe the same document.
type YAMLPrinter struct{}

// Print implements Printer.
func (YAMLPrinter) Print(w io.Writer, v View) error {
	b, err := marshalJSON(v.Data)
	if err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return err
	}
	blockStyle(&doc)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return err
	}
	return enc.Close()
}

// blockStyle drops the flow and quoting styles the JSON syntax left on the
// nodes; the encoder still quotes strings that would otherwise read as
// another type ("true", "1.0").
func blockStyle(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		blockStyle(c)
	}
}
