// Reads what Elastic's CEF decoder would make of a value, with the same Go standard library calls
// it makes per CEF type (strconv.ParseInt(v, 0, 32|64), strconv.ParseFloat(v, 32|64), net.ParseIP,
// net.ParseMAC, and epoch milliseconds or time layouts for timestamps). A test tool for
// test/types.test.ts: stdin has one JSON array [type, value] per line, stdout one "1" (read) or
// "0" (refused) per line.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"
)

// The decoder's layouts without a numeric zone: Segura sends none, and the engine accepts none.
var layouts = []string{
	"Jan _2 15:04:05.000 MST", "Jan _2 15:04:05.000", "Jan _2 15:04:05 MST", "Jan _2 15:04:05",
	"Jan _2 2006 15:04:05.000 MST", "Jan _2 2006 15:04:05.000", "Jan _2 2006 15:04:05 MST", "Jan _2 2006 15:04:05",
}

func reads(typ, v string) bool {
	switch typ {
	case "integer":
		_, err := strconv.ParseInt(v, 0, 32)
		return err == nil
	case "long":
		_, err := strconv.ParseInt(v, 0, 64)
		return err == nil
	case "float":
		_, err := strconv.ParseFloat(v, 32)
		return err == nil
	case "double":
		_, err := strconv.ParseFloat(v, 64)
		return err == nil
	case "ip":
		return net.ParseIP(v) != nil
	case "mac":
		_, err := net.ParseMAC(v)
		return err == nil
	case "timestamp":
		if _, err := strconv.ParseInt(v, 0, 64); err == nil {
			return true
		}
		for _, l := range layouts {
			if _, err := time.ParseInLocation(l, v, time.UTC); err == nil {
				return true
			}
		}
	}
	return false
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		var row [2]string
		if err := json.Unmarshal(in.Bytes(), &row); err != nil {
			fmt.Fprintln(os.Stderr, "bad input line:", err)
			os.Exit(2)
		}
		if reads(row[0], row[1]) {
			fmt.Fprintln(out, "1")
		} else {
			fmt.Fprintln(out, "0")
		}
	}
}
