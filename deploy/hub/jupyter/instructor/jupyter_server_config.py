"""An instructor's server on the class hub: files it writes stay writable by the other instructors."""
import os

os.umask(0o007)  # the course folder belongs to the group dis-instructors (setgid): share with it, nobody else
