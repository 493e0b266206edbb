"""Reading deduction lists as payroll systems export them; `services.lists.parsing` is the entry."""
