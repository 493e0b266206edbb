"""Reading deduction lists as payroll systems export them; `services.parsing` is the entry."""
