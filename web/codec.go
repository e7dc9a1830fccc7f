package web

import (
	"encoding/json"
	"fmt"
	"time"
)

// sessionCodec stores session values as JSON with their types kept. The
// session only ever holds int64s (agent id, last seen) and strings (flash
// messages); gob, scs's default, costs more per request than the database
// lookup of the session itself.
type sessionCodec struct{}

type sessionWire struct {
	Deadline int64             `json:"d"`
	Ints     map[string]int64  `json:"i,omitempty"`
	Strings  map[string]string `json:"s,omitempty"`
}

// Encode implements scs.Codec.
func (sessionCodec) Encode(deadline time.Time, values map[string]any) ([]byte, error) {
	w := sessionWire{Deadline: deadline.UnixNano()}
	for k, v := range values {
		switch v := v.(type) {
		case int64:
			if w.Ints == nil {
				w.Ints = map[string]int64{}
			}
			w.Ints[k] = v
		case string:
			if w.Strings == nil {
				w.Strings = map[string]string{}
			}
			w.Strings[k] = v
		default:
			return nil, fmt.Errorf("web: session value %q has unsupported type %T", k, v)
		}
	}
	return json.Marshal(w)
}

// Decode implements scs.Codec.
func (sessionCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	var w sessionWire
	if err := json.Unmarshal(b, &w); err != nil {
		return time.Time{}, nil, err
	}
	values := make(map[string]any, len(w.Ints)+len(w.Strings))
	for k, v := range w.Ints {
		values[k] = v
	}
	for k, v := range w.Strings {
		values[k] = v
	}
	return time.Unix(0, w.Deadline), values, nil
}
