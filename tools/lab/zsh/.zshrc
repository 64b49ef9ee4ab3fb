# The learner's own .zshrc first, then the course's environment on top, so `python` is the course's
# even when ~/.zshrc puts conda or pyenv first.
ZDOTDIR="${COURSE_ZDOTDIR:-$HOME}"
if [ -f "$ZDOTDIR/.zshrc" ]; then . "$ZDOTDIR/.zshrc"; fi
if [ -f "$VIRTUAL_ENV/bin/activate" ]; then . "$VIRTUAL_ENV/bin/activate"; fi
