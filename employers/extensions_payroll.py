"""How pay runs hook into the core: the payslip PDF and the demo pay run. Called from
employers' AppConfig.ready()."""

from employers import demo_payroll, payslip_documents
from phb.extensions import register_demo_seeder


def register() -> None:
    payslip_documents.register()
    register_demo_seeder(demo_payroll.seed)
