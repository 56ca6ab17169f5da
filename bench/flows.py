"""A bare viewflow flow with as many human steps as one amendment's whole path (three amendment
steps, five revision steps): no audit, no notifications, no rules. The yardstick of decisions_bench."""

from viewflow import this
from viewflow.workflow import flow, lock


class BareFlow(flow.Flow):
    lock_impl = lock.SelectForUpdateLock(nowait=False, attempts=1)

    start = flow.StartHandle().Next(this.step1)
    step1 = flow.View(None).Next(this.step2)
    step2 = flow.View(None).Next(this.step3)
    step3 = flow.View(None).Next(this.step4)
    step4 = flow.View(None).Next(this.step5)
    step5 = flow.View(None).Next(this.step6)
    step6 = flow.View(None).Next(this.step7)
    step7 = flow.View(None).Next(this.step8)
    step8 = flow.View(None).Next(this.end)
    end = flow.End()

    STEPS = 8
