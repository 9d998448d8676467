//go:build staycarcomponents && !allcomponents && !stablecomponents

// staycar: the components this system's profiles use, and nothing else (issue 15 lever 7).
// Built with `-tags staycarcomponents` (scripts/lib/daprd-build.mjs) instead of
// `stablecomponents`, which links every stable component in. The registrations are upstream's
// (cmd/daprd/components/<kind>_<name>.go of dapr v1.18.2), copied. A component type that a YAML
// of components/ or deploy/ names must be registered here: test/setup/daprd-components.test.ts
// reads this file and fails otherwise.

package components

import (
	"github.com/dapr/components-contrib/bindings/cron"
	"github.com/dapr/components-contrib/bindings/localstorage"
	nrkubernetes "github.com/dapr/components-contrib/nameresolution/kubernetes"
	"github.com/dapr/components-contrib/nameresolution/mdns"
	"github.com/dapr/components-contrib/nameresolution/sqlite"
	"github.com/dapr/components-contrib/pubsub/kafka"
	"github.com/dapr/components-contrib/pubsub/rabbitmq"
	pubsubredis "github.com/dapr/components-contrib/pubsub/redis"
	sskubernetes "github.com/dapr/components-contrib/secretstores/kubernetes"
	"github.com/dapr/components-contrib/secretstores/local/file"
	"github.com/dapr/components-contrib/state/mysql"
	pgv1 "github.com/dapr/components-contrib/state/postgresql/v1"
	pgv2 "github.com/dapr/components-contrib/state/postgresql/v2"
	stateredis "github.com/dapr/components-contrib/state/redis"
	"github.com/dapr/dapr/pkg/components"
	bindingsLoader "github.com/dapr/dapr/pkg/components/bindings"
	nrLoader "github.com/dapr/dapr/pkg/components/nameresolution"
	pubsubLoader "github.com/dapr/dapr/pkg/components/pubsub"
	secretstoresLoader "github.com/dapr/dapr/pkg/components/secretstores"
	stateLoader "github.com/dapr/dapr/pkg/components/state"
)

func init() {
	// State: state.redis, state.mysql (MariaDB), state.postgresql v2 (and v1, same package).
	stateLoader.DefaultRegistry.RegisterComponent(stateredis.NewRedisStateStore, "redis")
	stateLoader.DefaultRegistry.RegisterComponent(mysql.NewMySQLStateStore, "mysql")
	stateLoader.DefaultRegistry.RegisterComponentWithVersions("postgresql", components.Versioning{
		Preferred: components.VersionConstructor{Version: "v2", Constructor: pgv2.NewPostgreSQLStateStore},
		Others:    []components.VersionConstructor{{Version: "v1", Constructor: pgv1.NewPostgreSQLStateStore}},
		Default:   "v1",
	})
	stateLoader.DefaultRegistry.RegisterComponentWithVersions("postgres", components.Versioning{
		Preferred: components.VersionConstructor{Version: "v2", Constructor: pgv2.NewPostgreSQLStateStore},
		Others:    []components.VersionConstructor{{Version: "v1", Constructor: pgv1.NewPostgreSQLStateStore}},
		Default:   "v1",
	})

	// Pub/sub: pubsub.redis (Redis Streams), pubsub.rabbitmq, pubsub.kafka.
	pubsubLoader.DefaultRegistry.RegisterComponent(pubsubredis.NewRedisStreams, "redis")
	pubsubLoader.DefaultRegistry.RegisterComponent(rabbitmq.NewRabbitMQ, "rabbitmq")
	pubsubLoader.DefaultRegistry.RegisterComponent(kafka.NewKafka, "kafka")

	// Bindings: the message service's output binding; the cron input binding of reservation's stays-end job.
	bindingsLoader.DefaultRegistry.RegisterOutputBinding(localstorage.NewLocalStorage, "localstorage")
	bindingsLoader.DefaultRegistry.RegisterInputBinding(cron.NewCron, "cron")

	// Secret stores: local file (local run), kubernetes (deploy/, and the built-in store of Kubernetes mode).
	secretstoresLoader.DefaultRegistry.RegisterComponent(file.NewLocalSecretStore, "local.file")
	secretstoresLoader.DefaultRegistry.RegisterComponent(sskubernetes.NewKubernetesSecretStore, "kubernetes")

	// Name resolution: sqlite (dapr/config.yaml), mdns (standalone default), kubernetes (Kubernetes default).
	nrLoader.DefaultRegistry.RegisterComponent(sqlite.NewResolver, "sqlite")
	nrLoader.DefaultRegistry.RegisterComponent(mdns.NewResolver, "mdns")
	nrLoader.DefaultRegistry.RegisterComponent(nrkubernetes.NewResolver, "kubernetes")
}
