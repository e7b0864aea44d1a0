// A small load generator on Go's net/smtp, for scripts/bench-smtp.sh: N messages over C
// connections (or a new connection each), plaintext, implicit TLS or STARTTLS (+ AUTH PLAIN). Prints the same last line as
// `smtp-connector bench`: sent=K errors=E inner_s=S.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"net"
	"net/smtp"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:25", "server address")
	total := flag.Int("n", 1000, "messages")
	connections := flag.Int("c", 1, "concurrent connections")
	size := flag.Int("size", 2048, "body size in bytes")
	secure := flag.Bool("tls", false, "implicit TLS")
	fresh := flag.Bool("fresh", false, "a new connection for each message")
	ca := flag.String("ca", "", "CA certificate PEM for -tls and -starttls")
	starttls := flag.Bool("starttls", false, "STARTTLS after EHLO")
	user := flag.String("user", "", "AUTH PLAIN with this user and the password in SMTP_BENCH_PASSWORD")
	flag.Parse()

	line := strings.Repeat("0123456789abcdefghij", 4)[:74] + "\r\n"
	body := strings.Repeat(line, *size/len(line)) + strings.Repeat("x", *size%len(line))
	var config *tls.Config
	if *secure || *starttls {
		roots := x509.NewCertPool()
		pem, err := os.ReadFile(*ca)
		if err != nil || !roots.AppendCertsFromPEM(pem) {
			fmt.Fprintln(os.Stderr, "cannot read -ca")
			os.Exit(2)
		}
		config = &tls.Config{RootCAs: roots, ServerName: "localhost"}
	}
	dial := func() (*smtp.Client, error) {
		var conn net.Conn
		var err error
		if *secure {
			conn, err = tls.Dial("tcp", *addr, config)
		} else {
			conn, err = net.Dial("tcp", *addr)
		}
		if err != nil {
			return nil, err
		}
		client, err := smtp.NewClient(conn, "localhost")
		if err != nil {
			return nil, err
		}
		if *starttls {
			if err := client.StartTLS(config); err != nil {
				client.Close()
				return nil, err
			}
		}
		if *user != "" {
			// net/smtp sends PLAIN only over TLS or to localhost.
			if err := client.Auth(smtp.PlainAuth("", *user, os.Getenv("SMTP_BENCH_PASSWORD"), "localhost")); err != nil {
				client.Close()
				return nil, err
			}
		}
		return client, nil
	}
	send := func(client *smtp.Client, index int64) error {
		if err := client.Mail("bench@example.test"); err != nil {
			return err
		}
		if err := client.Rcpt(fmt.Sprintf("sink%d@example.test", index%100)); err != nil {
			return err
		}
		writer, err := client.Data()
		if err != nil {
			return err
		}
		fmt.Fprintf(writer, "From: bench@example.test\r\nTo: sink@example.test\r\nSubject: bench %d\r\n\r\n%s", index, body)
		return writer.Close()
	}

	var next int64 = -1
	var sent, failed int64
	start := time.Now()
	var group sync.WaitGroup
	for worker := 0; worker < *connections; worker++ {
		group.Add(1)
		go func() {
			defer group.Done()
			var client *smtp.Client
			for {
				index := atomic.AddInt64(&next, 1)
				if index >= int64(*total) {
					break
				}
				if client == nil {
					var err error
					if client, err = dial(); err != nil {
						atomic.AddInt64(&failed, 1)
						continue
					}
				}
				if err := send(client, index); err != nil {
					atomic.AddInt64(&failed, 1)
					client.Close()
					client = nil
					continue
				}
				atomic.AddInt64(&sent, 1)
				if *fresh {
					client.Quit()
					client = nil
				}
			}
			if client != nil {
				client.Quit()
			}
		}()
	}
	group.Wait()
	fmt.Printf("sent=%d errors=%d inner_s=%.3f\n", sent, failed, time.Since(start).Seconds())
}
