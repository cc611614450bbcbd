// Command imictl is the toolkit and reference implementation for the
// interconnection of instant-messaging systems.
package main

func main() {}
