// The stores' images for the cluster overlay, from Debian 12's own packages (no registry is
// reachable, so redis:7 and mariadb:10.11 cannot be pulled): the same programs the official images
// run, with what deploy/overlays/local's manifests expect of those images —
//   staycar.local/redis:7        redis-server as the entrypoint (the manifests pass only flags),
//                                redis-cli, sh and grep for the probes; user redis = 999.
//   staycar.local/mariadb:10.11  an entrypoint that, like the official one, creates root's password,
//                                MARIADB_DATABASE and MARIADB_USER on the first start of an empty
//                                /var/lib/mysql and then runs mariadbd; `healthcheck.sh --connect
//                                --innodb_initialized` for the probes; bash, seq and the mariadb
//                                client for the viewpage-user Job; user mysql = 999.
// Cached by the .debs' hash and this file's, like the apps' images.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheRoot } from './lib/gobuild.mjs';
import { debsOf, finishRootfs, libraryPackages, runIn, unpack } from './lib/debian.mjs';
import { writeOciArchive } from './lib/oci.mjs';

const SELF = fs.readFileSync(fileURLToPath(import.meta.url));
const TOOLS = ['dash', 'bash', 'coreutils', 'grep', 'sed', 'base-files', 'netbase'];
const TOOL_BINARIES = ['/bin/bash', '/bin/grep', '/bin/sed', '/bin/ls', '/bin/dash'];
const USERS = (name) => ({
  passwd: `root:x:0:0:root:/root:/usr/sbin/nologin\n${name}:x:999:999::/nonexistent:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`,
  group: `root:x:0:\n${name}:x:999:\nnogroup:x:65534:\n`,
});

const MARIADB_ENTRYPOINT = `#!/bin/bash
# staycar's stand-in for the official mariadb image's entrypoint (the variables it reads are the
# same): an empty data folder is initialised with root's password, MARIADB_DATABASE and
# MARIADB_USER/MARIADB_PASSWORD (all rights on that database only); then mariadbd runs.
set -euo pipefail
datadir=/var/lib/mysql
quote() { local q="'" v=\${1//\\\\/\\\\\\\\}; printf '%s' "$q\${v//$q/\\\\$q}$q"; }
if [ ! -d "$datadir/mysql" ]; then
  : "\${MARIADB_ROOT_PASSWORD:?is needed to initialise the database}"
  echo "entrypoint: initialising $datadir"
  mariadb-install-db --datadir="$datadir" --skip-test-db --skip-name-resolve --force --auth-root-authentication-method=normal >/dev/null
  mariadbd --datadir="$datadir" --skip-networking --socket=/run/mysqld/init.sock &
  pid=$!
  for _ in $(seq 1 120); do mariadb --socket=/run/mysqld/init.sock -uroot -e 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.5; done
  {
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY $(quote "$MARIADB_ROOT_PASSWORD");"
    echo "CREATE USER 'root'@'%' IDENTIFIED BY $(quote "$MARIADB_ROOT_PASSWORD");"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    if [ -n "\${MARIADB_DATABASE:-}" ]; then echo "CREATE DATABASE IF NOT EXISTS \\\`$MARIADB_DATABASE\\\`;"; fi
    if [ -n "\${MARIADB_USER:-}" ]; then
      echo "CREATE USER '$MARIADB_USER'@'%' IDENTIFIED BY $(quote "$MARIADB_PASSWORD");"
      if [ -n "\${MARIADB_DATABASE:-}" ]; then echo "GRANT ALL ON \\\`$MARIADB_DATABASE\\\`.* TO '$MARIADB_USER'@'%';"; fi
    fi
  } | mariadb --socket=/run/mysqld/init.sock -uroot
  kill "$pid"
  wait "$pid" || true
  echo "entrypoint: initialised"
fi
exec mariadbd --datadir="$datadir" --bind-address=0.0.0.0 --port=3306 --socket=/run/mysqld/mysqld.sock "$@"
`;

const MARIADB_HEALTHCHECK = `#!/bin/bash
# As the official image's healthcheck.sh for the two checks the manifests use: --connect (root
# logs in over the socket) and --innodb_initialized (InnoDB is up).
set -eu
export MYSQL_PWD="\${MARIADB_ROOT_PASSWORD:-}"
sql() { mariadb --socket=/run/mysqld/mysqld.sock -uroot --batch --skip-column-names -e "$1"; }
for check in "$@"; do
  case "$check" in
    --connect) sql 'SELECT 1' >/dev/null ;;
    --innodb_initialized) [ "$(sql "SELECT 1 FROM information_schema.ENGINES WHERE engine='InnoDB' AND support IN ('YES','DEFAULT','ENABLED')")" = 1 ] ;;
    *) echo "healthcheck.sh: unknown check $check" >&2; exit 2 ;;
  esac
done
`;

export const STORE_IMAGES = [
  {
    name: 'staycar.local/redis:7',
    file: 'store-redis',
    packages: ['redis-server', 'redis-tools', ...TOOLS],
    binaries: ['/usr/bin/redis-server', '/usr/bin/redis-cli', ...TOOL_BINARIES],
    users: USERS('redis'),
    smoke: ['/usr/bin/redis-server', '--version'],
    dirs: { data: 0o1777 },
    config: { Entrypoint: ['redis-server'], User: '999:999', WorkingDir: '/data', ExposedPorts: { '6379/tcp': {} } },
  },
  {
    name: 'staycar.local/mariadb:10.11',
    file: 'store-mariadb',
    packages: ['mariadb-server-core', 'mariadb-client-core', 'mariadb-client', 'mariadb-common', 'mysql-common', ...TOOLS],
    binaries: ['/usr/sbin/mariadbd', '/usr/bin/mariadb', '/usr/bin/my_print_defaults', ...TOOL_BINARIES],
    users: USERS('mysql'),
    smoke: ['/usr/sbin/mariadbd', '--version'],
    dirs: { 'var/lib/mysql': 0o1777, 'run/mysqld': 0o1777 },
    files: { 'usr/local/bin/docker-entrypoint.sh': MARIADB_ENTRYPOINT, 'usr/local/bin/healthcheck.sh': MARIADB_HEALTHCHECK },
    config: { Entrypoint: ['docker-entrypoint.sh'], User: '999:999', ExposedPorts: { '3306/tcp': {} } },
  },
];

/** Builds (or finds) one store image's archive. Answers { file, action }. */
export function storeImage(image, log) {
  const { debs, hash: debsHash } = debsOf([...image.packages, ...libraryPackages(image.binaries)], log);
  const key = createHash('sha256').update(debsHash).update(SELF).update(JSON.stringify(image)).digest('hex').slice(0, 16);
  const file = path.join(cacheRoot(), 'images', `${image.file}-${key}.tar`);
  if (fs.existsSync(file)) return { file, action: 'cached' };
  const rootfs = `${file}.rootfs-${process.pid}`;
  fs.rmSync(rootfs, { recursive: true, force: true });
  try {
    unpack(debs, rootfs);
    finishRootfs(rootfs, image.users);
    for (const [rel, mode] of Object.entries(image.dirs ?? {})) {
      fs.mkdirSync(path.join(rootfs, rel), { recursive: true });
      fs.chmodSync(path.join(rootfs, rel), mode);
    }
    for (const [rel, text] of Object.entries(image.files ?? {})) {
      fs.mkdirSync(path.dirname(path.join(rootfs, rel)), { recursive: true });
      fs.writeFileSync(path.join(rootfs, rel), text, { mode: 0o755 });
    }
    const smoke = runIn(rootfs, image.smoke);
    if (smoke.status !== 0) throw new Error(`${image.smoke.join(' ')} does not run in ${image.name}: ${smoke.stderr}`);
    const env = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];
    const digest = writeOciArchive({ rootfs, name: image.name, config: { Env: env, ...image.config }, out: file });
    log(`${image.name}: packed ${digest} from ${debs.length} Debian packages (${smoke.stdout.trim().split('\n')[0]})`);
    return { file, action: 'built' };
  } finally {
    fs.rmSync(rootfs, { recursive: true, force: true });
  }
}
