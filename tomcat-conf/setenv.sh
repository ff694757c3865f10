# Optional $CATALINA_BASE/bin/setenv.sh for Tollgate. Tomcat sources it at start.
# Where the config file is (or put it at $CATALINA_BASE/conf/tollgate.yaml and leave this out):
# CATALINA_OPTS="$CATALINA_OPTS -Dtollgate.config=/etc/tollgate/tollgate.yaml"
# The master password for ENC(...) values and for the credentials added on the dashboard (the same on
# every instance of a fleet); better read from a file only Tomcat's user can read:
# export TOLLGATE_MASTER_PASSWORD="$(cat /etc/tollgate/master-password)"
