#!/bin/sh
# Prepares an unpacked Tomcat for the container tests the way tomcat-conf/README.md tells an
# ops engineer to: jars into lib/ with install-lib.sh, the context file, the realm users, harden.sh. Only
# what is test-specific is added here: free ports, and the manager-script user Arquillian's
# adapter uses to see that Tomcat is up.
#   usage: setup-tomcat.sh CATALINA_HOME WAR HTTP_PORT SHUTDOWN_PORT
set -eu
home=$1 war=$2 http=$3 shutdown=$4
conf=$(cd "$(dirname "$0")/../../../tomcat-conf" && pwd)

sh "$conf/install-lib.sh" "$war" "$home"
mkdir -p "$home/conf/Catalina/localhost" "$home/data/tollgate"
cp "$conf/Catalina/localhost/tollgate.xml" "$home/conf/Catalina/localhost/tollgate.xml"
sed 's#</tomcat-users>#  <role rolename="manager-script"/>\n  <user username="arquillian" password="arquillian" roles="manager-script"/>\n</tomcat-users>#' \
  "$conf/tomcat-users.xml" > "$home/conf/tomcat-users.xml"
# ports are reserved afresh by every build, so always start from the distribution's own server.xml
[ -f "$home/conf/server.xml.dist" ] || cp "$home/conf/server.xml" "$home/conf/server.xml.dist"
sed -e "s/port=\"8080\"/port=\"$http\"/" -e "s/port=\"8005\"/port=\"$shutdown\"/" \
  "$home/conf/server.xml.dist" > "$home/conf/server.xml"
sh "$conf/harden.sh" "$home"
# a clean database for every build; the WAR goes where the README says: webapps/
rm -rf "$home/data/tollgate/"* "$home/webapps/tollgate" "$home/logs/"*
cp "$war" "$home/webapps/tollgate.war"
echo "tomcat ready for tests: $home (http $http)"
