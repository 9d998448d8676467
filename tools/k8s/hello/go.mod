// A trivial HTTP server for the cluster's smoke pod (no dependencies): `npm run cluster:up` runs it.
module staycar.local/tools/k8s/hello

go 1.26
