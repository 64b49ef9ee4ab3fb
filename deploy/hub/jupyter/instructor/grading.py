"""nbgrader's Execute for the class hub: a submission whose kernel dies is graded (0, with the reason), not dropped."""
from nbclient.exceptions import DeadKernelError
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute

DIED = ("the kernel stopped while this cell ran: the code ended Python itself (exit, os._exit) or used more "
        "memory than a learner's server may. Nothing after it could run, so its checks score 0.")
NOT_RUN = "not run: the kernel had stopped in an earlier cell (see its output)."


class GradeDeadKernels(Execute):
    """Execute, but a cell whose kernel dies gets an error output saying so, and so does every cell after it."""

    died = False

    def preprocess(self, nb, resources=None, km=None):
        """Grade one notebook, in a kernel of its own."""
        self.died = False
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell, resources, index):
        """Run one cell; if its kernel dies, say so in its output, and mark every later cell as not run."""
        if self.died and cell.cell_type == "code" and cell.source.strip():
            cell.outputs = [new_output("error", ename="KernelDied", evalue=NOT_RUN, traceback=[f"KernelDied: {NOT_RUN}"])]
            return cell, resources
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self.died = True
            cell.outputs.append(new_output("error", ename="KernelDied", evalue=DIED, traceback=[f"KernelDied: {DIED}"]))
            return cell, resources
