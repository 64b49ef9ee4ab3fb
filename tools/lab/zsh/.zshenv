# zsh in a JupyterLab terminal of `make lab` starts here (ZDOTDIR): run the learner's own .zshenv.
_course_zdotdir="$ZDOTDIR"
ZDOTDIR="${COURSE_ZDOTDIR:-$HOME}"
if [ -f "$ZDOTDIR/.zshenv" ]; then . "$ZDOTDIR/.zshenv"; fi
ZDOTDIR="$_course_zdotdir"  # so that zsh reads the .zshrc beside this file next
unset _course_zdotdir
