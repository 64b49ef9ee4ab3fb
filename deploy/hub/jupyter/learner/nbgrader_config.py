"""nbgrader for a learner's server on the class hub: the course's exchange, the assignment list."""
import os

c = get_config()  # noqa: F821 (nbgrader's config loader defines it)
c.CourseDirectory.course_id = "data-in-space"
c.Exchange.root = os.path.join(os.environ["DIS_NBGRADER_ROOT"], "exchange")
