"""Ansible plugins the course loads from this folder (ANSIBLE_CALLBACK_PLUGINS): course_rows, a JSON-lines callback."""
