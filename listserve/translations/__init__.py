"""The gettext catalogs (<lang>/LC_MESSAGES/messages.po, compiled to .mo at install or build
time), and the commands that keep them: `listserve translations update|compile`."""
