// The pod sandbox image a kubelet needs (registry.k8s.io/pause cannot be pulled here): it waits for a
// signal, as pause does.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGINT, syscall.SIGTERM)
	<-c
}
