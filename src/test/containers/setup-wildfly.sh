#!/bin/sh
# Prepares an unpacked WildFly for the container tests the way wildfly-conf/README.md tells an
# ops engineer to: wildfly-conf/install.sh (module, driver, datasource, realm users), then the
# WAR into standalone/deployments/ for the deployment scanner.
#   usage: setup-wildfly.sh JBOSS_HOME WAR
set -eu
home=$1 war=$2
conf=$(cd "$(dirname "$0")/../../../wildfly-conf" && pwd)
sh "$conf/install.sh" "$war" "$home" admin-pass viewer-pass
# a clean database for every build
rm -f "$home/standalone/data/tollgate.db"* "$home/standalone/deployments/tollgate.war"*
cp "$war" "$home/standalone/deployments/tollgate.war"
echo "wildfly ready for tests: $home"
