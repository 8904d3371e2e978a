# barbican-api as the tests serve it: Barbican's own paste pipeline
# (keystonemiddleware's auth_token in front of the API), loaded from the
# test's directory instead of /etc/barbican. barbican.conf is found as
# oslo.config finds it, in $HOME (start.sh sets HOME to the test's dir).
import os

from paste import deploy

application = deploy.loadapp("config:" + os.environ["STACKAUTH_BARBICAN_PASTE"])
