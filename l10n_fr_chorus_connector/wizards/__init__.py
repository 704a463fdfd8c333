from . import chorus_move_wizard
from . import chorus_recycle_wizard
from . import chorus_complete_wizard
from . import chorus_token_adjust_wizard
from . import chorus_mass_deposit_wizard
from . import account_move_send_wizard
from . import account_move_send_wizard_environment
from . import chorus_mass_deposit_wizard_environment
