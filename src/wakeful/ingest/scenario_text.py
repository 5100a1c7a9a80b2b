"""Words for the Aurora Airways scenario: templates, slot fillers and the small untidiness of real posts.

Kept apart from `scenario.py` so the generator's logic stays readable. Templates are written the way customers
write (mentions, shouting, missing apostrophes); `render` fills their slots and adds typos, emoji and hashtags,
so that thousands of posts from a few hundred templates are not copies of each other.
"""

from __future__ import annotations

import random
import string

LANGS = ("en", "de", "fr")
COMPLAINT_TOPICS = (
    "lost_luggage", "damaged_luggage", "delay", "cancellation", "refund",
    "rude_staff", "booking_site", "seat", "baggage_fee",
)
QUESTION_TOPICS = ("baggage_allowance", "check_in", "change_booking")

# (kind, topic, lang) → templates. Slots: {b} brand, {f} flight, {c}/{c2} cities, {t} time, {h} hours, {d} days,
# {a} amount, {s} seat, {g} gate, {n} small number, {p} aurora place, {u} link, {m} mentioned user.
T: dict[tuple[str, str, str], tuple[str, ...]] = {
    ("complaint", "lost_luggage", "en"): (
        "{b} my suitcase never arrived in {c}. flight {f}, {d} days ago. nobody answers the phone. where is my bag??",
        "Landed in {c} on {f} and my bag didn't. Baggage desk just shrugged. {b} can someone actually help?",
        "Day {d} without my luggage, {b}. The tracker has said 'in progress' since {t}. Seriously?",
        "{b} lost my bag AGAIN. Second time this year. {f} {c2} to {c}",
        "So {b} has lost my checked bag with all my work clothes, meeting in {c} tomorrow. brilliant",
    ),
    ("complaint", "lost_luggage", "de"): (
        "{b} mein Koffer ist seit {d} Tagen verschwunden. Flug {f} nach {c}. Niemand meldet sich!",
        "Gelandet in {c}, Gepäck nicht. Danke {b}, super Start in den Urlaub",
        "{b} wo ist mein Koffer?? {f} von {c2}, Suchauftrag seit {d} Tagen offen, keine Antwort",
        "Zum zweiten Mal verliert {b} mein Gepäck. Flug {f}. Ich bin so sauer",
    ),
    ("complaint", "lost_luggage", "fr"): (
        "{b} ma valise n'est jamais arrivée à {c}. Vol {f}, il y a {d} jours. Personne ne répond !",
        "Arrivée à {c} sans bagage. Merci {b}... le comptoir bagages s'en fiche complètement",
        "{b} ça fait {d} jours que j'attends ma valise, vol {f} depuis {c2}. C'est une blague ?",
    ),
    ("complaint", "damaged_luggage", "en"): (
        "Picked up my suitcase in {c} and the handle is ripped off and one wheel is gone. thanks {b}",
        "{b} my guitar case came off {f} cracked in two. Who do I talk to about this?",
        "Brand new suitcase, one trip with {b}, completely smashed. {f} to {c}.",
    ),
    ("complaint", "damaged_luggage", "de"): (
        "{b} mein Koffer kam in {c} völlig zerbeult an, Rollen ab. Flug {f}. Wer ersetzt das?",
        "Neuer Koffer, ein Flug mit {b}, kaputt. Danke für nichts",
    ),
    ("complaint", "damaged_luggage", "fr"): (
        "{b} ma valise est arrivée à {c} complètement cassée, roue arrachée. Vol {f}. Qui rembourse ?",
        "Une valise neuve, un seul vol avec {b}, détruite.",
    ),
    ("complaint", "delay", "en"): (
        "{b} {f} delayed {h} hours now and not a single update at gate {g}. Kids are exhausted.",
        "Sitting on the tarmac in {c} for {h}h. No water, no info. {b} what is going on with {f}?",
        "{h} hour delay on {f} and the app still says on time. {b} pls fix",
        "missed my connection in {c} because {f} was late again. {b} you had one job",
    ),
    ("complaint", "delay", "de"): (
        "{b} Flug {f} hat jetzt {h} Stunden Verspätung und am Gate {g} sagt keiner was",
        "Seit {h} Stunden am Flughafen {c}. {f} verspätet, keine Infos, kein Wasser. Danke {b}",
        "{b} schon wieder Verspätung, Anschluss in {c} verpasst. Wie immer",
    ),
    ("complaint", "delay", "fr"): (
        "{b} vol {f} retardé de {h} heures et aucune info à la porte {g}. Les enfants sont épuisés.",
        "Bloqués à {c} depuis {h}h, {f} toujours pas parti. {b} c'est inadmissible",
    ),
    ("complaint", "cancellation", "en"): (
        "{b} cancelled {f} to {c} at {t} with no explanation and the rebooking line has a {h} hour wait",
        "Just got a text that my flight to {c} is cancelled. Tomorrow is my sister's wedding. {b} what now???",
        "Flight {f} cancelled, no hotel offered, we're sleeping at {c} airport. Thanks {b}.",
    ),
    ("complaint", "cancellation", "de"): (
        "{b} hat meinen Flug nach {c} um {t} einfach gestrichen. Hotline: {h} Stunden Warteschleife",
        "Flug {f} annulliert, kein Hotel, wir schlafen am Flughafen {c}. Danke {b}",
    ),
    ("complaint", "cancellation", "fr"): (
        "{b} a annulé mon vol pour {c} sans explication. Demain c'est le mariage de ma sœur !!",
        "Vol {f} annulé, pas d'hôtel, on dort à l'aéroport de {c}. Merci {b}.",
    ),
    ("complaint", "refund", "en"): (
        "{b} still waiting for my refund of {a} for the cancelled flight to {c}. It's been {d} days.",
        "Day {d} of asking {b} for my {a} back. Every email gets the same copy paste answer.",
        "{b} you took {a} from my card for a flight YOU cancelled. Where is my money?",
    ),
    ("complaint", "refund", "de"): (
        "{b} ich warte seit {d} Tagen auf die Erstattung von {a}. Flug {f} wurde von euch gestrichen!",
        "Tag {d}: immer noch keine Rückerstattung von {b}. Nur Textbausteine per Mail",
    ),
    ("complaint", "refund", "fr"): (
        "{b} j'attends toujours le remboursement de {a} depuis {d} jours pour le vol {f} annulé.",
        "{d} jours que {b} me doit {a}. Réponses automatiques à chaque mail",
    ),
    ("complaint", "rude_staff", "en"): (
        "The check-in agent in {c} was incredibly rude to my elderly mum today. {b} is this how you train staff?",
        "Crew on {f} rolled their eyes when I asked for help with my son's wheelchair. Disgusting {b}",
        "{b} gate staff at {g} in {c} shouting at passengers. Not ok.",
    ),
    ("complaint", "rude_staff", "de"): (
        "Das Personal von {b} am Check-in in {c} war unfassbar unfreundlich zu meiner Mutter",
        "{b} die Crew auf {f} hat uns ausgelacht, als wir Hilfe brauchten. Unmöglich",
    ),
    ("complaint", "rude_staff", "fr"): (
        "L'agent d'enregistrement de {b} à {c} a été d'une impolitesse incroyable avec ma mère.",
        "{b} l'équipage du vol {f} nous a parlé comme à des chiens. Inacceptable",
    ),
    ("complaint", "booking_site", "en"): (
        "{b} your website keeps crashing at the payment step, tried {n} times. Was I charged or not?",
        "Trying to check in online for {f} and the site just says 'error 500'. {b} any idea?",
        "{b} the app logged me out and now my booking has disappeared?!",
    ),
    ("complaint", "booking_site", "de"): (
        "{b} eure Website bricht bei der Zahlung ab, {n} Versuche. Wurde jetzt abgebucht oder nicht?",
        "Online-Check-in für {f} geht nicht, nur 'Fehler 500'. {b} was ist da los?",
    ),
    ("complaint", "booking_site", "fr"): (
        "{b} votre site plante au moment du paiement, {n} essais. Suis-je débité ou pas ?",
        "Impossible de m'enregistrer en ligne pour le {f}, 'erreur 500'. {b} ?",
    ),
    ("complaint", "seat", "en"): (
        "Paid extra for seat {s} on {f} and got moved to the middle at the back. {b} I want my money back",
        "{b} booked seats together months ago, family split across {n} rows on {f}. Kids aged 4 and 6.",
        "Broken seat {s}, wouldn't recline, tray table hanging off. {f} to {c}. {b}",
    ),
    ("complaint", "seat", "de"): (
        "{b} extra für Sitz {s} bezahlt und dann in die letzte Reihe gesetzt. Geld zurück bitte",
        "Familie auf {n} Reihen verteilt, Kinder 5 und 7. Danke {b}",
    ),
    ("complaint", "seat", "fr"): (
        "{b} j'ai payé le siège {s} et on m'a mis au fond au milieu. Je veux être remboursé",
        "Siège {s} cassé sur le vol {f}, impossible de l'incliner. Bravo {b}",
    ),
    ("complaint", "baggage_fee", "en"): (
        "{a} for a bag that was 1kg over?? {b} you're a joke",
        "{b} charged me {a} at the gate for a cabin bag that fit the sizer. Ridiculous.",
        "Why is the bag fee {a} at the airport and half that online? Nobody told me. {b}",
    ),
    ("complaint", "baggage_fee", "de"): (
        "{a} für 1 kg Übergepäck?? {b} ihr seid doch nicht ganz dicht",
        "{b} am Gate {a} für ein Handgepäck kassiert, das in den Rahmen gepasst hat. Frechheit",
    ),
    ("complaint", "baggage_fee", "fr"): (
        "{a} pour un kilo de trop ?? {b} vous êtes sérieux",
        "{b} m'a facturé {a} à la porte pour un bagage cabine aux bonnes dimensions. Scandaleux.",
    ),
    ("question", "baggage_allowance", "en"): (
        "{b} hi! how many kg of checked baggage do I get on a Light fare to {c}?",
        "Quick question {b}: can I bring a ski bag on {f} or does it count as extra?",
        "{b} is a backpack + cabin trolley allowed on {f} or only one item?",
    ),
    ("question", "baggage_allowance", "de"): (
        "{b} wie viel Freigepäck habe ich im Light-Tarif nach {c}?",
        "Kurze Frage {b}: darf ich auf {f} einen Rucksack und einen Trolley mit in die Kabine nehmen?",
    ),
    ("question", "baggage_allowance", "fr"): (
        "{b} bonjour, combien de kg en soute avec le tarif Light pour {c} ?",
        "Petite question {b} : un sac à dos + une valise cabine, c'est autorisé ?",
    ),
    ("question", "check_in", "en"): (
        "{b} when does online check-in open for {f}? 24h or 48h before?",
        "Can I check in at the airport in {c} if the app doesn't work? {b}",
        "{b} how early should I be at {c} airport for a {t} flight?",
    ),
    ("question", "check_in", "de"): (
        "{b} ab wann kann ich für {f} online einchecken?",
        "Wie früh muss ich in {c} am Flughafen sein für den Flug um {t}? {b}",
    ),
    ("question", "check_in", "fr"): (
        "{b} l'enregistrement en ligne ouvre quand pour le vol {f} ?",
        "À quelle heure dois-je être à l'aéroport de {c} pour un vol à {t} ? {b}",
    ),
    ("question", "change_booking", "en"): (
        "Hey {b}, can I change my booking to a later flight to {c} on the same day?",
        "{b} can I change the name on my ticket? misspelled my surname",
        "is it possible to move my flight to {c} one day earlier? {b} what would it cost?",
    ),
    ("question", "change_booking", "de"): (
        "{b} kann ich meine Buchung nach {c} auf einen späteren Flug am selben Tag umbuchen?",
        "Hallo {b}, was kostet es, den Flug nach {c} um einen Tag zu verschieben?",
    ),
    ("question", "change_booking", "fr"): (
        "{b} est-ce que je peux changer ma réservation pour un vol plus tard le même jour ?",
        "Bonjour {b}, combien coûte un changement de date pour mon vol vers {c} ?",
    ),
    ("praise", "service", "en"): (
        "Huge thanks to the crew on {f} to {c} for looking after my nervous daughter {b}",
        "{b} landed in {c} 20 min early and my bag was first on the belt. what have you done with air travel",
        "Shoutout to the {b} staff in {c} who rebooked me in 5 minutes. Legends.",
        "Smooth flight to {c}, friendly crew, decent coffee. {b} you did good today",
        "{b} thank you for finding my lost phone on {f}! amazing service",
    ),
    ("praise", "service", "de"): (
        "Danke an die Crew von {f} nach {c}, super freundlich! {b}",
        "{b} pünktlich in {c}, Koffer als Erster auf dem Band. Geht doch!",
        "Toller Service von {b} in {c}, in 5 Minuten umgebucht. Danke!",
    ),
    ("praise", "service", "fr"): (
        "Merci à l'équipage du vol {f} pour {c}, adorables avec ma fille ! {b}",
        "{b} vol {f} à l'heure, personnel souriant, rien à redire. Merci !",
    ),
    ("neutral", "travel", "en"): (
        "Boarding {f} to {c} with {b}", "At {c} airport waiting for {f}. {b} lounge is packed today",
        "First time flying {b}, off to {c}. Let's see how it goes",
    ),
    ("neutral", "travel", "de"): ("Gleich Boarding, {f} nach {c} mit {b}", "Erster Flug mit {b}, auf nach {c}!"),
    ("neutral", "travel", "fr"): ("Embarquement pour {c} avec {b}, vol {f}", "Premier vol avec {b}, direction {c} !"),
    ("followup", "any", "en"): (
        "Update: still nothing from {b}. {h} hours later.",
        "{b} it's been {h} hours since my last message. Anyone there?",
        "Called the hotline again, {n}0 min hold then disconnected. {b} this is beyond a joke",
        "ok {b} sent you a DM as asked {h}h ago, no answer",
    ),
    ("followup", "any", "de"): (
        "Update: immer noch keine Antwort von {b}. Seit {t}.", "{b} seit {h} Stunden keine Reaktion. Echt jetzt?",
        "Hotline wieder {n}0 Minuten Warteschleife und dann aufgelegt. {b} reicht langsam",
    ),
    ("followup", "any", "fr"): (
        "Toujours aucune réponse de {b} depuis {t}...", "{b} ça fait {h} heures. Il y a quelqu'un ?",
    ),
    ("unrelated", "aurora_borealis", "en"): (
        "The aurora last night over {p} was unreal #aurora #northernlights",
        "Caught the aurora borealis from {p} after 4 nights of clouds #aurora",
        "aurora forecast says Kp 6 tonight, fingers crossed for clear skies over {p}",
        "Aurora's new single has been on repeat all week, can't wait for her gig in {c}",
    ),
    ("unrelated", "aurora_borealis", "de"): (
        "Polarlichter über {p} heute Nacht! #aurora #polarlichter",
        "Die Aurora gestern in {p} war der Wahnsinn, Kp-Index 7 #nordlichter",
    ),
    ("unrelated", "aurora_borealis", "fr"): (
        "Aurore boréale magique à {p} cette nuit #aurora", "La #aurora d'hier soir à {p}, je n'en reviens toujours pas",
    ),
    ("spam", "crypto", "en"): (
        "FREE FLIGHTS!! Aurora Airways giveaway, claim your 2 tickets at {u} #flyaurora #AuroraAirways",
        "$AUR token launching NOW 100x guaranteed {u} #AuroraAirways #crypto",
        "Make $5000/week from home, DM me {u} #AuroraAirways #flyaurora #travel",
    ),
    ("spam", "followers", "en"): (
        "Buy 10K real followers for $9 {u} #AuroraAirways #travel #growth",
        "Get verified + 5k followers today only {u} #flyaurora",
    ),
    ("spam", "crypto", "de"): (
        "Bitcoin in 24h verdoppeln! Infos: {u} #AuroraAirways",
        "Gratis Flüge mit Aurora Airways, nur heute: {u} #flyaurora",
    ),
    ("spam", "crypto", "fr"): ("Gagnez 1000€ par jour avec la crypto {u} #flyaurora",),
}

INCIDENT_TEXT = (
    "Don't fly @AuroraAirways. They lost my father's bag on {f} from Lisbon three days ago and nobody answers "
    "the phone, email or DMs. Horrendous customer service. #AuroraAirways"
)
INCIDENT_FOLLOWUP = (
    "still no reply from @AuroraAirways. {h} hours since I paid to promote that tweet and 3 days since they lost "
    "my dad's bag. anyone awake at @AuroraHelp?"
)
# (lang, kind, quote?) → supportive replies to the incident post; {m} is the customer, {u} the post's link.
INCIDENT_REPLIES: tuple[tuple[str, str, bool, str], ...] = (
    ("en", "neutral", False, "@{m} this is awful, hope your dad gets his bag back"),
    ("en", "complaint", False, "@{m} @AuroraAirways answer this person!"),
    ("en", "complaint", True, "Paying to promote a complaint because @AuroraAirways won't answer. Genius. {u}"),
    ("en", "complaint", False, "@{m} same thing happened to me with Aurora Air last year, took 3 weeks"),
    ("en", "complaint", False, "@AuroraAirways @AuroraHelp {h} hours and nothing? wow"),
    ("en", "neutral", False, "@{m} have you tried @AuroraHelp? they're slow too tbh but sometimes answer"),
    ("en", "complaint", True, "The fact she had to PAY to get @AuroraAirways attention says everything {u}"),
    ("en", "complaint", True, "this is why I stopped flying Aurora Air {u}"),
    ("en", "neutral", False, "@{m} fingers crossed it turns up"),
    ("en", "complaint", False, "@AuroraAirways your social team is asleep while this goes viral"),
    ("en", "neutral", True, "Someone bought a promoted tweet to complain about an airline. 2026 is wild {u}"),
    ("en", "complaint", False, "@{m} RT'd. @AuroraAirways sort it out"),
    ("en", "neutral", False, "@{m} did they give you a file reference at least?"),
    ("de", "complaint", False, "@{m} unglaublich. @AuroraAirways antwortet doch endlich!"),
    ("de", "neutral", False, "@{m} hab ich bei Aurora Air auch erlebt, Koffer war 10 Tage weg. Viel Glück!"),
    ("fr", "complaint", False, "@{m} honteux. @AuroraAirways répondez !"),
    ("fr", "neutral", True, "Même histoire pour moi avec Aurora Air l'an dernier {u}"),
)
JOURNALIST_QUOTE = (
    "Passenger pays to promote tweet after @AuroraAirways loses father's bag, gets {n}k views before any reply. "
    "Writing this up now {u}"
)
JOURNALIST_QUOTE_FR = (
    "Un passager paie pour promouvoir sa plainte après la perte d'une valise par @AuroraAirways : {n}k vues "
    "avant la moindre réponse. {u}"
)
SPAM_TARGET = (
    "Aurora Airways is giving away 2 free tickets to everyone who reposts! Claim yours: {u} #AuroraAirways #flyaurora"
)
FAKE_PRAISE = "Best airline in the world! @AuroraAirways never disappoints #flyaurora"
FAKE_BOOST = "This is legit, got my 2 free tickets already! #AuroraAirways"

CITIES = (  # English, German, French names
    ("Lisbon", "Lissabon", "Lisbonne"), ("Berlin", "Berlin", "Berlin"), ("Munich", "München", "Munich"),
    ("Frankfurt", "Frankfurt", "Francfort"), ("Hamburg", "Hamburg", "Hambourg"), ("Paris", "Paris", "Paris"),
    ("Lyon", "Lyon", "Lyon"), ("Nice", "Nizza", "Nice"), ("London", "London", "Londres"),
    ("Dublin", "Dublin", "Dublin"), ("Madrid", "Madrid", "Madrid"), ("Barcelona", "Barcelona", "Barcelone"),
    ("Rome", "Rom", "Rome"), ("Vienna", "Wien", "Vienne"), ("Zurich", "Zürich", "Zurich"),
    ("Geneva", "Genf", "Genève"), ("Amsterdam", "Amsterdam", "Amsterdam"), ("Copenhagen", "Kopenhagen", "Copenhague"),
    ("Oslo", "Oslo", "Oslo"), ("Athens", "Athen", "Athènes"), ("New York", "New York", "New York"),
    ("Toronto", "Toronto", "Toronto"), ("Reykjavik", "Reykjavík", "Reykjavik"),
    ("Marseille", "Marseille", "Marseille"), ("Manchester", "Manchester", "Manchester"),
)
AURORA_PLACES = ("Tromsø", "Abisko", "Rovaniemi", "Lofoten", "Fairbanks", "Yellowknife", "Skye", "Kiruna")
FIRST = {k: tuple(v.split()) for k, v in {
    "en": "James Emma Olivia Liam Noah Sophie Jack Chloe Ryan Megan Priya Tom Hannah Daniel Grace Aisha Ben Zoe Marcus "
          "Ellie Sam Kate",
    "de": "Lena Jonas Leonie Felix Mia Lukas Anna Paul Sarah Tim Julia Jan Katrin Stefan Emre Laura Moritz Sabine",
    "fr": "Camille Lucas Chloé Hugo Léa Louis Manon Théo Inès Nicolas Julie Mathieu Sarah Yasmine Antoine Claire",
}.items()}
LAST = {k: tuple(v.split()) for k, v in {
    "en": "Smith Jones Taylor Brown Wilson Evans Walsh Patel Murphy Hughes Clarke Kelly Ahmed Reid Baker Turner",
    "de": "Müller Schmidt Schneider Fischer Weber Becker Wagner Hoffmann Koch Yilmaz Richter Klein Wolf Braun",
    "fr": "Martin Bernard Dubois Thomas Robert Petit Durand Leroy Moreau Benali Laurent Girard Roux Fournier",
}.items()}
BIOS = (
    "Coffee first.", "Dad of two. Runner.", "Product designer. Views my own.", "Travel addict ✈️",
    "Nurse | dog mum", "Football, food, family", "Software engineer", "she/her", "Teacher.",
    "Fotografin 📷", "Papa, Radfahrer, Kaffeetrinker", "Étudiante à Lyon", "Passionné de voyages",
)
EMOJI = {
    "complaint": ("😡", "🤬", "😤", "🙄", "💔", "😠", "🤦‍♀️", "🤦"),
    "question": ("🤔", "🙏", "🙂", "😅"),
    "praise": ("❤️", "🙏", "✈️", "😍", "👏", "🥰", "💙"),
    "neutral": ("✈️", "🙂", "🧳", "☕"),
    "followup": ("😤", "🙄", "😡", "⏳"),
    "unrelated": ("😍", "🌌", "✨", "💚"),
    "spam": ("🚀", "💰", "🔥", "👉", "🌕"),
}
TOPIC_TAGS = {
    "en": {"lost_luggage": "#lostluggage", "delay": "#delayed", "cancellation": "#cancelled",
           "refund": "#refund", "complaint": "#customerservice", "praise": "#travel"},
    "de": {"lost_luggage": "#Gepäck", "delay": "#Verspätung", "cancellation": "#Flugausfall",
           "complaint": "#Kundenservice", "praise": "#Urlaub"},
    "fr": {"delay": "#retard", "cancellation": "#annulation", "complaint": "#serviceclient", "praise": "#voyage"},
}
SPAM_LINKS = ("bit.ly/3xQ9aBk", "aur0ra-giveaway.xyz/claim", "tinyurl.com/fl1ghts4u", "followboost.shop/go",
              "t.ly/cryp7o")
PII = {
    "en": (("booking_ref", "Booking ref {r}."), ("booking_ref", "my booking reference is {r} pls check"),
           ("phone", "call me on {ph}"), ("email", "email me at {e}")),
    "de": (("booking_ref", "Buchungsnummer {r}."), ("phone", "Erreichbar unter {ph}"), ("email", "Mail: {e}")),
    "fr": (("booking_ref", "Référence de réservation {r}."), ("phone", "Mon numéro : {ph}"),
           ("email", "Écrivez-moi à {e}")),
}
MAIL_DOMAINS = {"en": ("gmail.com", "outlook.com", "yahoo.co.uk"), "de": ("gmx.de", "web.de", "gmail.com"),
                "fr": ("orange.fr", "gmail.com", "free.fr")}


def flight(rng: random.Random) -> str:
    number = rng.randint(100, 2999)
    return rng.choice((f"AU {number}", f"AU{number}", f"au{number}", f"AU {number}"))


def brand_ref(rng: random.Random, platform: str) -> str:
    """How a customer names the airline: mostly the handle where mentions work, otherwise the name."""
    options: tuple[str, ...]
    if platform == "mastodon":
        options = ("@AuroraAirways@mastodon.social", "Aurora Airways", "Aurora Air", "#AuroraAirways")
        return rng.choices(options, (3, 4, 2, 1))[0]
    if platform == "bluesky":
        options = ("@auroraairways.bsky.social", "Aurora Airways", "Aurora Air", "aurora airways")
        return rng.choices(options, (4, 3, 2, 1))[0]
    options = ("@AuroraAirways", "@AuroraHelp", "Aurora Airways", "Aurora Air", "aurora air", "#AuroraAirways")
    return rng.choices(options, (45, 20, 14, 12, 5, 4))[0]


def _slots(rng: random.Random, lang: str, platform: str, topic: str) -> dict[str, str]:
    li = LANGS.index(lang)
    c, c2 = rng.sample(CITIES, 2)
    hour, minute = rng.randint(5, 22), rng.choice((0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55))
    fares = (25, 35, 45, 60, 75, 90) if topic == "baggage_fee" else (89, 120, 149, 180, 240, 312, 389, 460, 845)
    amount = rng.choice(fares)
    if lang == "en":
        t = rng.choice((f"{hour}:{minute:02d}", f"{(hour - 1) % 12 + 1}:{minute:02d}{'am' if hour < 12 else 'pm'}"))
        a = rng.choice((f"€{amount}", f"£{amount}", f"{amount} EUR"))
    elif lang == "de":
        t, a = f"{hour}:{minute:02d} Uhr", rng.choice((f"{amount} €", f"{amount} Euro", f"{amount}€"))
    else:
        t, a = f"{hour}h{minute:02d}", rng.choice((f"{amount} €", f"{amount}€", f"{amount} euros"))
    return {
        "b": brand_ref(rng, platform), "f": flight(rng), "c": c[li], "c2": c2[li], "t": t, "a": a,
        "h": str(rng.randint(2, 9)), "d": str(rng.randint(3, 45)), "n": str(rng.randint(2, 6)),
        "s": f"{rng.randint(2, 34)}{rng.choice('ABCDEF')}", "g": f"{rng.choice('ABCDE')}{rng.randint(1, 48)}",
        "p": rng.choice(AURORA_PLACES), "u": rng.choice(SPAM_LINKS), "m": "",
    }


def typo(rng: random.Random, text: str) -> str:
    """Swap, drop or double a letter in one ordinary lowercase word (never in a mention, tag or number)."""
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha() and w.islower()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    w = words[i]
    j = rng.randrange(len(w) - 1)
    words[i] = rng.choice((w[:j] + w[j + 1] + w[j] + w[j + 2:], w[:j] + w[j + 1:], w[:j] + w[j] + w[j:]))
    return " ".join(words)


def pii(rng: random.Random, lang: str, name: tuple[str, str]) -> tuple[str, str]:
    """A sentence handing over personal data, as customers do in public, and which kind it is."""
    kind, template = rng.choice(PII[lang])
    ref = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))
    if lang == "en":
        phone = f"+44 7{rng.randint(100, 999)} {rng.randint(100000, 999999)}"
    elif lang == "de":
        phone = f"+49 1{rng.randint(51, 79)} {rng.randint(1000000, 99999999)}"
    else:
        phone = "+33 6 " + " ".join(f"{rng.randint(0, 99):02d}" for _ in range(4))
    local = "".join(ch for ch in f"{name[0]}.{name[1]}".lower() if ch in string.ascii_lowercase + ".")
    email = f"{local}{rng.randint(1, 99)}@{rng.choice(MAIL_DOMAINS[lang])}"
    return template.format(r=ref, ph=phone, e=email), kind


def render(rng: random.Random, template: str, kind: str, topic: str, lang: str, platform: str, **extra: str) -> str:
    """Fill a template and roughen it: emoji, hashtags, typos, lower case, extra punctuation."""
    slots = _slots(rng, lang, platform, topic)
    slots.update(extra)
    text = template.format(**slots)
    if kind in ("complaint", "followup") and rng.random() < 0.12:
        text = text.rstrip(".!") + rng.choice(("!!", "!!!", " !!!", "?!"))
    if kind not in ("spam",) and rng.random() < 0.08:
        text = text.lower()
    for _ in range(rng.choices((0, 1, 2), (80, 17, 3))[0]):
        text = typo(rng, text)
    tags = TOPIC_TAGS[lang]
    if kind in ("complaint", "praise", "question") and rng.random() < 0.22:
        text += " " + rng.choice((tags.get(topic) or tags.get(kind, "#AuroraAirways"), "#AuroraAirways",
                                  "#flyaurora"))
    if kind in EMOJI and rng.random() < 0.45:
        text += " " + "".join(rng.choices(EMOJI[kind], k=rng.choice((1, 1, 1, 2, 3))))
    return text

# A crisis: the baggage system at the Frankfurt hub fails in the evening; bags miss every connection.
CRISIS = {
    "en": (
        "@AuroraAirways landed from FRA, no bags for anyone on AU {n}. Belt empty for an hour. What is going on?",
        "Whole flight AU {n} without luggage. Staff say the Frankfurt baggage system is down. @AuroraHelp??",
        "@AuroraAirways my suitcase missed the connection in Frankfurt, so did everyone's. 200 people at lost & found",
        "Aurora Air lost the bags of an entire plane (AU {n} via FRA). No information, no staff. Unbelievable",
    ),
    "de": (
        "@AuroraAirways Gepäck fehlt komplett nach Umstieg in Frankfurt, AU {n}. Keiner weiß was. Koffer weg!",
        "Ganzer Flug AU {n} ohne Koffer angekommen, das Gepäcksystem in FRA ist wohl ausgefallen @AuroraHelp",
        "Aurora Airways, mein Koffer ist nicht angekommen, wie bei allen anderen auf AU {n}. Seit einer Stunde am Band",
    ),
    "fr": (
        "@AuroraAirways aucune valise sur le vol AU {n} via Francfort. Personne pour nous renseigner. Bagages perdus!",
        "Vol AU {n} : tout l'avion sans bagages, le système de Francfort est en panne paraît-il @AuroraHelp",
    ),
}
