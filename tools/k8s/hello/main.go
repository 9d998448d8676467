// staycar-hello: the smallest useful pod for the local cluster's smoke test. It answers every HTTP
// request on $PORT (default 8000) with its host name (the pod's name), so a test can tell pods apart
// through a Service.
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

const version = "staycar-hello v1"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "--version" {
		fmt.Println(version)
		return
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8000"
	}
	host, _ := os.Hostname()
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "hello from %s\n", host)
	})
	go func() {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
		<-stop
		os.Exit(0)
	}()
	log.Printf("%s listening on :%s", version, port)
	log.Fatal(http.ListenAndServe(":"+port, nil))
}
