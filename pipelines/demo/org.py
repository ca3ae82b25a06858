"""The demo organisation: six departments, forty teams, four hundred people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from pipelines.demo.dates import M0, M_TODAY, first_day, last_day, month_of, rng_for, workday_on_or_after

TEAMS: dict[str, tuple[str, ...]] = {
    "IT": ("Platform Engineering", "Digital Channels", "Data Engineering", "Cloud Operations",
           "Enterprise Applications", "Cyber Security", "Quality Assurance", "Integration Services",
           "Service Management", "Architecture & Design"),
    "Operations": ("Supply Chain Systems", "Warehouse Operations", "Logistics Planning", "Process Excellence",
                   "Field Service", "Procurement Operations", "Customer Operations"),
    "Finance": ("Financial Systems", "Financial Reporting", "Treasury & Risk", "Finance Transformation",
                "Controlling", "Compliance Analytics"),
    "Engineering": ("Automation Engineering", "Electrical Engineering", "Network Engineering", "Site Engineering",
                    "Facilities Engineering", "Control Systems", "Energy Management"),
    "Marketing": ("Brand & Content", "Digital Marketing", "Customer Insight", "Market Expansion", "CRM & Loyalty"),
    "HR": ("HR Systems", "People Analytics", "Talent & Learning", "Workplace Services", "Reward & Payroll"),
}
TEAM_DEPARTMENT = {team: dept for dept, teams in TEAMS.items() for team in teams}
ALL_TEAMS = tuple(TEAM_DEPARTMENT)

# The team that carries the slipping project and logs 50-60 h a week from May 2026 (story `overloaded_team`).
OVERLOADED_TEAM = "Platform Engineering"

SPONSORS = {"IT": "Sarah Whitfield", "Operations": "Marcus Feld", "Finance": "Ingrid Solberg",
            "Engineering": "Rajesh Iyer", "Marketing": "Claire Dubois", "HR": "Thomas Okafor"}

ROLES: dict[str, tuple[tuple[str, float], ...]] = {  # role mix of the non-lead members, per department
    "IT": (("Software Engineer", 0.35), ("Senior Engineer", 0.2), ("Test Analyst", 0.15),
           ("Business Analyst", 0.15), ("Solution Architect", 0.05), ("DevOps Engineer", 0.1)),
    "Operations": (("Operations Analyst", 0.35), ("Process Engineer", 0.25), ("Planner", 0.2),
                   ("Business Analyst", 0.2)),
    "Finance": (("Financial Analyst", 0.4), ("Accountant", 0.25), ("Business Analyst", 0.2),
                ("Systems Specialist", 0.15)),
    "Engineering": (("Engineer", 0.4), ("Senior Engineer", 0.25), ("Technician", 0.25), ("Designer", 0.1)),
    "Marketing": (("Marketing Specialist", 0.4), ("Designer", 0.2), ("Insight Analyst", 0.25),
                  ("Content Manager", 0.15)),
    "HR": (("HR Specialist", 0.4), ("HR Systems Analyst", 0.3), ("Business Analyst", 0.3)),
}
RATES = {"Project Manager": 95, "Team Lead": 90, "Software Engineer": 75, "Senior Engineer": 95,
         "Test Analyst": 65, "Business Analyst": 72, "Solution Architect": 120, "DevOps Engineer": 85,
         "Operations Analyst": 60, "Process Engineer": 70, "Planner": 58, "Financial Analyst": 68,
         "Accountant": 62, "Systems Specialist": 74, "Engineer": 78, "Technician": 55, "Designer": 66,
         "Marketing Specialist": 60, "Insight Analyst": 68, "Content Manager": 57, "HR Specialist": 56,
         "HR Systems Analyst": 66}

FIRST_NAMES = (
    "Anna", "Ben", "Chloe", "Daniel", "Emma", "Felix", "Grace", "Hannah", "Isaac", "Julia", "Karim", "Laura",
    "Mateo", "Nina", "Oliver", "Priya", "Quentin", "Rosa", "Samuel", "Tara", "Umar", "Vera", "William", "Xavier",
    "Yara", "Zoë", "José", "Åsa", "François", "Sofía", "Wei", "Li", "Ming", "Xiao", "Hui", "Jun", "Yan", "Fang",
    "Arjun", "Deepa", "Ravi", "Ananya", "Kenji", "Yuki", "Hiro", "Aiko", "Lars", "Ingrid", "Sven", "Freya",
    "Marco", "Giulia", "Luca", "Chiara", "Pieter", "Anouk", "Jan", "Eva", "Tomasz", "Kasia", "Ahmed", "Layla",
    "Omar", "Fatima", "Kwame", "Amara", "Diego", "Lucía", "Noah", "Mia", "Liam", "Ella", "Ethan", "Ava",
)
LAST_NAMES = (
    "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Thomas", "Roberts", "Walker", "Müller",
    "Schmidt", "Fischer", "Weber", "Novak", "Kowalski", "Rossi", "Bianchi", "García", "Martínez", "López",
    "Dubois", "Lefèvre", "Moreau", "Jansen", "de Vries", "Bakker", "Andersson", "Nilsson", "Hansen", "Larsen",
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Sharma", "Patel", "Gupta",
    "Singh", "Tanaka", "Sato", "Suzuki", "Kim", "Park", "Nguyen", "Okafor", "Mensah", "Haddad", "Khan", "O'Brien",
    "Murphy", "Kelly", "Costa", "Silva",
)


@dataclass(frozen=True)
class Person:
    eid: str
    name: str
    team: str
    role: str
    department: str
    capacity: int  # weekly_capacity_hours
    rate: float  # hourly_cost_rate
    start: date
    end: date | None

    def employed_on(self, d: date) -> bool:
        return self.start <= d and (self.end is None or d <= self.end)


def make_people(seed: int) -> list[Person]:
    """400 people in 40 teams; part-timers at 20/24/32 h; some join or leave during the 24 months."""
    rng = rng_for(seed, "people")
    sizes = [11] * len(TEAMS["IT"]) + [(10, 10, 9)[i % 3] for i in range(len(ALL_TEAMS) - len(TEAMS["IT"]))]
    names = [f"{f} {s}" for f in FIRST_NAMES for s in LAST_NAMES]
    order = rng.permutation(len(names))
    people: list[Person] = []
    n = 0
    for team, size in zip(ALL_TEAMS, sizes, strict=True):
        dept = TEAM_DEPARTMENT[team]
        roles, weights = zip(*ROLES[dept], strict=True)
        for rank in range(size):
            role = ("Project Manager" if rank == 0 else "Team Lead" if rank == 1
                    else str(rng.choice(roles, p=weights)))
            capacity = 40
            if team != OVERLOADED_TEAM and rank > 1:
                capacity = int(rng.choice([40, 32, 24, 20], p=[0.82, 0.07, 0.06, 0.05]))
            start = workday_on_or_after(date(2012, 1, 2) + timedelta(days=int(rng.integers(0, 4650))))  # -2024-09
            end = None
            draw = rng.random()
            if rank > 1 and draw < 0.09:  # joiner during the period
                start = workday_on_or_after(first_day(int(rng.integers(M0 + 1, M_TODAY))))
            elif rank > 1 and draw < 0.16:  # leaver during the period
                end = last_day(int(rng.integers(M0 + 2, M_TODAY)))
            if team == OVERLOADED_TEAM and rank == 5:  # burnt out, left at the end of September
                start, end = date(2019, 3, 4), date(2026, 9, 30)
            if team == OVERLOADED_TEAM and rank == 10:  # reinforcement joining in June
                start, end = date(2026, 6, 1), None
            rate = round(RATES[role] * float(rng.uniform(0.9, 1.12)), 2)
            n += 1
            people.append(Person(f"E{n:04d}", names[order[n]], team, role, dept, capacity, rate, start, end))
    assert n == 400 and all(p.start < (p.end or date.max) for p in people)
    assert all(month_of(p.start) <= M_TODAY for p in people)
    return people
