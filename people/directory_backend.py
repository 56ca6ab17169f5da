"""The directory's authentication backend, named in AUTHENTICATION_BACKENDS when DIRECTORY_LDAP_URI
is set (it needs django-auth-ldap and python-ldap: requirements/ldap.txt)."""

from people.directory import backend_class

DirectoryBackend = backend_class()
