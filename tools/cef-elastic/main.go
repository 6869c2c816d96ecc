// cef-elastic: reads lines on stdin and prints, for each, one JSON object with what Elastic's CEF
// decoder (the package behind Filebeat's decode_cef processor) made of it: the header fields, every
// extension it kept with its unescaped value, and its errors. As decode_cef, it reads from the first
// "CEF:" of the line, so a syslog line with a CEF message works too. Test-only: never shipped.
package main

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"time"

	"github.com/elastic/beats/v7/x-pack/filebeat/processors/decode_cef/cef"
	"go.uber.org/multierr"
)

type result struct {
	Version            int               `json:"version"`
	DeviceVendor       string            `json:"device_vendor"`
	DeviceProduct      string            `json:"device_product"`
	DeviceVersion      string            `json:"device_version"`
	DeviceEventClassID string            `json:"device_event_class_id"`
	Name               string            `json:"name"`
	Severity           string            `json:"severity"`
	Extensions         map[string]string `json:"extensions"`
	Errors             []string          `json:"errors"`
}

func main() {
	in := bufio.NewReader(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for {
		line, err := in.ReadString('\n')
		if line == "" && err != nil {
			return
		}
		line = strings.TrimSuffix(line, "\n")
		// as decode_cef does: the CEF message starts at the first "CEF:" of the field
		if i := strings.Index(line, "CEF:"); i >= 0 {
			line = line[i:]
		}
		var e cef.Event
		// decode_cef's own options, less the renaming to full names (the keys stay as written)
		uerr := e.Unpack(line, cef.WithTimezone(time.UTC))
		r := result{
			Version: e.Version, DeviceVendor: e.DeviceVendor, DeviceProduct: e.DeviceProduct,
			DeviceVersion: e.DeviceVersion, DeviceEventClassID: e.DeviceEventClassID, Name: e.Name,
			Severity: e.Severity, Extensions: map[string]string{}, Errors: []string{},
		}
		for k, f := range e.Extensions {
			r.Extensions[k] = f.String
		}
		for _, x := range multierr.Errors(uerr) {
			r.Errors = append(r.Errors, x.Error())
		}
		if err := enc.Encode(r); err != nil {
			os.Exit(1)
		}
	}
}
