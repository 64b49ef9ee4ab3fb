"""nbgrader for an instructor's server on the class hub: the shared course folder, and grading that always ends."""
import os
import sys

c = get_config()  # noqa: F821 (nbgrader's config loader defines it)
c.CourseDirectory.course_id = "data-in-space"
# ~/course links to the shared course folder: the formgrader wants the course inside the server's own folder
c.CourseDirectory.root = os.path.expanduser("~/course")
c.Exchange.root = os.path.join(os.environ["DIS_NBGRADER_ROOT"], "exchange")
# a cell that runs longer than this is interrupted: the exercise checkers end within 15 s, so a minute
# is room for a slow grading machine, and a submission that hangs is graded instead of holding the rest
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
REASON = ("this cell did not finish within 60 s, so grading interrupted it: does a loop never end, "
          "or does the cell wait for something that never comes? The cells after it were still graded.")
c.Execute.error_on_timeout = {"ename": "Interrupted", "evalue": REASON, "traceback": [f"Interrupted: {REASON}"]}
# a submission whose kernel dies (it ends Python, or passes its memory limit) is graded 0 with that reason,
# instead of being left out of the grades with an error in autograde's log (grading.py, beside this file)
sys.path.insert(0, os.path.dirname(__file__))
from grading import GradeDeadKernels  # noqa: E402
from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: E402
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, IgnorePattern,  # noqa: E402
                                    LimitOutput, SaveAutoGrades)

c.Autograde.autograde_preprocessors = [GradeDeadKernels, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
                                       SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
